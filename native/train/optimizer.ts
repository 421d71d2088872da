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

/**
 * Every trained tensor laid end to end in one float vector of `size` elements, the tensors with
 * weight decay first: θ = [θ_decayed (decayedSize elements) ‖ θ_plain]. The optimizer updates the
 * whole vector with a dozen elementwise nodes instead of a dozen per tensor.
 */
export interface FlatParameters {
  /** The trained tensors, each flattened to 1-D, in layout order (the decayed ones first). */
  pieces: Value[]
  /** How many of `pieces` have weight decay. */
  decayedPieces: number
  /** The gradient of the whole vector, laid out like the pieces. */
  grad: Value
  /** Elements in the whole vector. */
  size: number
}

/** One piece of optimizer state: fed as `input`, returned as `output`, zeros at the start. */
export interface StateSlot {
  input: string
  output: string
  shape: number[]
  /**
   * Whether the slot is laid out like the flat parameter vector (moments, momentum): checkpoints
   * then store it per tensor as `<input>.<tensor name>`.
   */
  perTensor: boolean
}

/** Name of the next value of a state tensor or trained tensor. */
export const nextName = (name: string) => `${name}.next`

/** The flat parameter vector's input and output names. */
export const PARAMS = 'params'

/**
 * The scalars an update needs once per step: the learning rate (an input, so schedules work) and
 * the gradient multiplier s (accumulation normalisation × clipping), applied as g ← s·g.
 */
export interface StepScalars {
  learningRate: Value
  gradScale: Value | null
}

/** θ with the decayed part multiplied by `factor`: [θ_decayed·factor ‖ θ_plain] (θ as it is without decayed pieces or factor). */
function decayedVector(b: GraphBuilder, flat: FlatParameters, factor: Value | null, name: string): Value {
  const decayed = flat.pieces.slice(0, flat.decayedPieces)
  const plain = flat.pieces.slice(flat.decayedPieces)
  if (!factor || decayed.length === 0) return b.concat(flat.pieces, 0, `${name}_all`)
  const scaled = b.mul(b.concat(decayed, 0, `${name}_decayed_all`), factor, name)
  return plain.length === 0 ? scaled : b.concat([scaled, ...plain], 0, `${name}_all`)
}

/**
 * AdamW over the flat vector, written as standard ONNX ops, with the step counter t as state:
 *   t ← t + 1,  g ← s·g
 *   m ← β₁·m + (1 − β₁)·g,        v ← β₂·v + (1 − β₂)·g²
 *   θ ← θ·(1 − lr·λ) − lr·m̂ / (√v̂ + ε),  m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)
 * computed as θ·(1 − lr·λ) − a·m / (√v + ε′) with a = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) and
 * ε′ = ε·√(1 − β₂ᵗ) (the same value, as PyTorch computes it), and s folded into the (1 − β) factors.
 * The decay factor applies to the decayed part of θ only. Nodes are named `adamw.m`, `adamw.v`,
 * `adamw.update`, `adamw.param`; state is `adamw.m`, `adamw.v` (flat) and `adamw.step`.
 */
export function emitAdamW(b: GraphBuilder, flat: FlatParameters, config: AdamWConfig, scalars: StepScalars): { param: Value; outputs: Map<string, Value>; state: StateSlot[] } {
  const outputs = new Map<string, Value>()
  const f = (v: number) => b.scalar(v)
  return b.scope('adamw', () => {
    const step = b.input('adamw.step', 1, [])
    const t = b.add(step, f(1), 'step')
    const bc1 = b.sub(f(1), b.pow(f(config.beta1), t, 'beta1_t'), 'bias_correction1')
    const bc2Sqrt = b.sqrt(b.sub(f(1), b.pow(f(config.beta2), t, 'beta2_t'), 'bias_correction2'), 'bias_correction2_sqrt')
    const stepSize = b.div(b.mul(scalars.learningRate, bc2Sqrt, 'lr_bc2'), bc1, 'step_size')
    const eps = b.mul(f(config.epsilon), bc2Sqrt, 'epsilon')
    const s = scalars.gradScale
    const k1 = s ? b.mul(f(1 - config.beta1), s, 'k1') : f(1 - config.beta1)
    const k2 = s ? b.mul(f(1 - config.beta2), b.mul(s, s, 's2'), 'k2') : f(1 - config.beta2)
    const decay = config.weightDecay !== 0 ? b.sub(f(1), b.mul(scalars.learningRate, f(config.weightDecay), 'lr_wd'), 'decay') : null
    const g = flat.grad
    const mIn = b.input('adamw.m', g.dtype, [flat.size])
    const vIn = b.input('adamw.v', g.dtype, [flat.size])
    const m = b.add(b.mul(mIn, f(config.beta1), 'm_decay'), b.mul(g, k1, 'm_grad'), 'm')
    const v = b.add(b.mul(vIn, f(config.beta2), 'v_decay'), b.mul(b.mul(g, g, 'g2'), k2, 'v_grad'), 'v')
    const update = b.mul(b.div(m, b.add(b.sqrt(v, 'v_sqrt'), eps, 'denominator'), 'ratio'), stepSize, 'update')
    const param = b.sub(decayedVector(b, flat, decay, 'decayed'), update, 'param')
    outputs.set(nextName('adamw.step'), t)
    outputs.set(nextName(mIn.name), m)
    outputs.set(nextName(vIn.name), v)
    const state: StateSlot[] = [
      { input: 'adamw.step', output: nextName('adamw.step'), shape: [], perTensor: false },
      { input: mIn.name, output: nextName(mIn.name), shape: [flat.size], perTensor: true },
      { input: vIn.name, output: nextName(vIn.name), shape: [flat.size], perTensor: true },
    ]
    return { param, outputs, state }
  })
}

/**
 * SGD over the flat vector: g ← s·g + λ·θ (λ on the decayed part only), with momentum μ:
 * u ← μ·u + g, θ ← θ − lr·u; without momentum θ ← θ − lr·g. Nodes are named `sgd.*`; the momentum
 * buffer is `sgd.momentum` (flat).
 */
export function emitSgd(b: GraphBuilder, flat: FlatParameters, config: SgdConfig, scalars: StepScalars): { param: Value; outputs: Map<string, Value>; state: StateSlot[] } {
  const outputs = new Map<string, Value>()
  const state: StateSlot[] = []
  return b.scope('sgd', () => {
    let g = scalars.gradScale ? b.mul(flat.grad, scalars.gradScale, 'scaled') : flat.grad
    const decayed = flat.pieces.slice(0, flat.decayedPieces)
    if (decayed.length > 0 && config.weightDecay !== 0) {
      // λ·θ on the decayed part, zeros on the rest (a constant ORT folds once).
      const decayedSize = decayed.reduce((n, p) => n + (p.shape[0] as number), 0)
      const l2 = b.mul(b.concat(decayed, 0, 'decayed_all'), b.scalar(config.weightDecay), 'l2')
      const padded = decayedSize === flat.size ? l2 : b.concat([l2, b.expand(b.scalar(0), [flat.size - decayedSize], 'zeros')], 0, 'l2_all')
      g = b.add(g, padded, 'decayed')
    }
    if (config.momentum !== 0) {
      const uIn = b.input('sgd.momentum', flat.grad.dtype, [flat.size])
      g = b.add(b.mul(uIn, b.scalar(config.momentum), 'u_decay'), g, 'momentum')
      outputs.set(nextName(uIn.name), g)
      state.push({ input: uIn.name, output: nextName(uIn.name), shape: [flat.size], perTensor: true })
    }
    const param = b.sub(decayedVector(b, flat, null, 'theta'), b.mul(g, scalars.learningRate, 'update'), 'param')
    return { param, outputs, state }
  })
}
