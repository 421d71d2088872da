import type { GraphBuilder, Value } from '../onnx/builder'

/** AdamW hyper-parameters (Loshchilov & Hutter; PyTorch's torch.optim.AdamW semantics). */
export interface AdamWConfig {
  kind: 'adamw'
  /** β₁: decay of the first-moment average, in [0, 1). */
  beta1: number
  /** β₂: decay of the second-moment average, in [0, 1). */
  beta2: number
  /** ε added to √v̂ (keeps the step finite where v̂ ≈ 0). */
  epsilon: number
  /** Decoupled weight decay λ per unit learning rate (0.1 for GPTs); applied to tensors marked `decay`. */
  weightDecay: number
}

/** Plain SGD, optionally with momentum (PyTorch's torch.optim.SGD without dampening or Nesterov). */
export interface SgdConfig {
  kind: 'sgd'
  /** Momentum μ (0: no momentum buffer). */
  momentum: number
  /** L2 weight decay λ added to the gradient (λ·θ) for tensors marked `decay`. */
  weightDecay: number
}

export type OptimizerConfig = AdamWConfig | SgdConfig

export const adamwDefaults: AdamWConfig = { kind: 'adamw', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 }
export const sgdDefaults: SgdConfig = { kind: 'sgd', momentum: 0, weightDecay: 0 }

/** A trained tensor, its (already summed) gradient and whether weight decay applies. */
export interface OptimizerTensor {
  name: string
  param: Value
  grad: Value
  decay: boolean
}

/** One piece of optimizer state: fed as `input`, returned as `output`, zeros at the start. */
export interface StateSlot {
  input: string
  output: string
  shape: number[]
}

/** Name of the next value of a state tensor or trained tensor. */
export const nextName = (name: string) => `${name}.next`

/**
 * The scalars an update needs once per step: the learning rate (an input, so schedules work) and
 * the gradient multiplier s (accumulation normalisation × clipping), applied as g ← s·g.
 */
export interface StepScalars {
  learningRate: Value
  gradScale: Value | null
}

/**
 * AdamW, written as standard ONNX ops per tensor, with the step counter t as state:
 *   t ← t + 1,  g ← s·g
 *   m ← β₁·m + (1 − β₁)·g,        v ← β₂·v + (1 − β₂)·g²
 *   θ ← θ·(1 − lr·λ) − lr·m̂ / (√v̂ + ε),  m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)
 * computed as θ·(1 − lr·λ) − a·m / (√v + ε′) with a = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) and
 * ε′ = ε·√(1 − β₂ᵗ) (the same value, as PyTorch computes it), and s folded into the (1 − β) factors.
 * Nodes are named `adamw.<tensor>.m`, `adamw.<tensor>.v`, `adamw.<tensor>.update`.
 */
export function emitAdamW(b: GraphBuilder, tensors: OptimizerTensor[], config: AdamWConfig, scalars: StepScalars): { outputs: Map<string, Value>; state: StateSlot[] } {
  const outputs = new Map<string, Value>()
  const state: StateSlot[] = []
  const f = (v: number) => b.scalar(v)
  b.scope('adamw', () => {
    const step = b.input('adamw.step', 1, [])
    const t = b.add(step, f(1), 'step')
    outputs.set(nextName('adamw.step'), t)
    state.push({ input: 'adamw.step', output: nextName('adamw.step'), shape: [] })
    const bc1 = b.sub(f(1), b.pow(f(config.beta1), t, 'beta1_t'), 'bias_correction1')
    const bc2Sqrt = b.sqrt(b.sub(f(1), b.pow(f(config.beta2), t, 'beta2_t'), 'bias_correction2'), 'bias_correction2_sqrt')
    const stepSize = b.div(b.mul(scalars.learningRate, bc2Sqrt, 'lr_bc2'), bc1, 'step_size')
    const eps = b.mul(f(config.epsilon), bc2Sqrt, 'epsilon')
    const s = scalars.gradScale
    const k1 = s ? b.mul(f(1 - config.beta1), s, 'k1') : f(1 - config.beta1)
    const k2 = s ? b.mul(f(1 - config.beta2), b.mul(s, s, 's2'), 'k2') : f(1 - config.beta2)
    const decay = b.sub(f(1), b.mul(scalars.learningRate, f(config.weightDecay), 'lr_wd'), 'decay')
    for (const x of tensors) {
      b.scope(x.name, () => {
        const mIn = b.input(`adamw.m.${x.name}`, x.param.dtype, x.param.shape)
        const vIn = b.input(`adamw.v.${x.name}`, x.param.dtype, x.param.shape)
        const m = b.add(b.mul(mIn, f(config.beta1), 'm_decay'), b.mul(x.grad, k1, 'm_grad'), 'm')
        const v = b.add(b.mul(vIn, f(config.beta2), 'v_decay'), b.mul(b.mul(x.grad, x.grad, 'g2'), k2, 'v_grad'), 'v')
        const update = b.mul(b.div(m, b.add(b.sqrt(v, 'v_sqrt'), eps, 'denominator'), 'ratio'), stepSize, 'update')
        const kept = x.decay && config.weightDecay !== 0 ? b.mul(x.param, decay, 'decayed') : x.param
        outputs.set(nextName(x.name), b.sub(kept, update, 'param'))
        outputs.set(nextName(mIn.name), m)
        outputs.set(nextName(vIn.name), v)
        state.push({ input: mIn.name, output: nextName(mIn.name), shape: x.param.shape as number[] }, { input: vIn.name, output: nextName(vIn.name), shape: x.param.shape as number[] })
      })
    }
  })
  return { outputs, state }
}

/**
 * SGD: g ← s·g + λ·θ (λ for decayed tensors), with momentum μ: u ← μ·u + g, θ ← θ − lr·u;
 * without momentum θ ← θ − lr·g. Nodes are named `sgd.<tensor>.*`.
 */
export function emitSgd(b: GraphBuilder, tensors: OptimizerTensor[], config: SgdConfig, scalars: StepScalars): { outputs: Map<string, Value>; state: StateSlot[] } {
  const outputs = new Map<string, Value>()
  const state: StateSlot[] = []
  b.scope('sgd', () => {
    for (const x of tensors) {
      b.scope(x.name, () => {
        let g = scalars.gradScale ? b.mul(x.grad, scalars.gradScale, 'scaled') : x.grad
        if (x.decay && config.weightDecay !== 0) g = b.add(g, b.mul(x.param, b.scalar(config.weightDecay), 'l2'), 'decayed')
        if (config.momentum !== 0) {
          const uIn = b.input(`sgd.momentum.${x.name}`, x.param.dtype, x.param.shape)
          g = b.add(b.mul(uIn, b.scalar(config.momentum), 'u_decay'), g, 'momentum')
          outputs.set(nextName(uIn.name), g)
          state.push({ input: uIn.name, output: nextName(uIn.name), shape: x.param.shape as number[] })
        }
        outputs.set(nextName(x.name), b.sub(x.param, b.mul(g, scalars.learningRate, 'update'), 'param'))
      })
    }
  })
  return { outputs, state }
}
