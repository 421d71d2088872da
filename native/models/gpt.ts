import { NashlabError } from '../api/errors'
import { normals } from './normals'
import { DEFAULT_OPSET, GraphBuilder, type Value } from '../onnx/builder'
import { DataType } from '../onnx/dtype'
import type { Dim, Model } from '../onnx/model'
import { Rng } from '../runtime/rng'

/** A decoder-only transformer (GPT-2 / Llama family), small enough to train on a workstation. */
export interface GptConfig {
  /** Vocabulary size (tokens). */
  vocab: number
  /** Width of the residual stream. */
  dModel: number
  layers: number
  /** Attention heads; dModel must be a multiple. */
  heads: number
  /** Longest sequence (size of the learned position table; rotary tables are built per graph). */
  context: number
  /** 'layernorm' (GPT-2: mean and variance, scale and bias) or 'rmsnorm' (Llama: root mean square, scale only). */
  norm: 'layernorm' | 'rmsnorm'
  /** 'gelu' (GPT-2 MLP, 4·d hidden) or 'swiglu' (Llama: silu(x·W_gate) ⊙ x·W_up, then W_down). */
  mlp: 'gelu' | 'swiglu'
  /** 'learned' absolute positions (GPT-2) or 'rotary' (RoPE on queries and keys, rotate-half form). */
  positions: 'learned' | 'rotary'
  /** Share the token embedding with the output head. */
  tiedEmbeddings: boolean
  /** Biases on the linear layers (GPT-2 has them, Llama does not). */
  bias: boolean
  /** MLP hidden width (default 4·d for gelu, 8/3·d rounded up to a multiple of 8 for swiglu). */
  mlpHidden?: number
  /** Gelu form: 'none' is the exact erf form; 'tanh' the approximation (needed in float64: no Erf kernel there). */
  geluApproximation: 'none' | 'tanh'
  /** ε of the norms. */
  normEpsilon: number
  /** Base of the rotary frequencies. */
  ropeTheta: number
  /** Standard deviation of the weight initialisation (residual projections get /√(2·layers)). */
  initStd: number
}

export const gptDefaults: GptConfig = {
  vocab: 256,
  dModel: 128,
  layers: 4,
  heads: 4,
  context: 128,
  norm: 'layernorm',
  mlp: 'gelu',
  positions: 'learned',
  tiedEmbeddings: true,
  bias: true,
  geluApproximation: 'none',
  normEpsilon: 1e-5,
  ropeTheta: 10000,
  initStd: 0.02,
}

/** One trainable tensor of the model. */
export interface GptParam {
  name: string
  shape: number[]
  /** Whether AdamW's weight decay applies (matrices and embeddings, not gains and biases). */
  decay: boolean
}

export interface GptGraphOptions {
  /** Batch size (a number, or a symbolic name for a dynamic batch). */
  batch: number | string
  /** Sequence length (static; at most `context`). */
  sequence: number
  /** 'loss' (needs `targets`), 'logits', or both. */
  outputs: 'loss' | 'logits' | 'both'
  /** float (default) or double (for gradient checks; norms and Gelu are then decomposed). */
  dtype?: number
  /** Target value that is left out of the loss. */
  ignoreIndex?: number
  /** Emit norms and Gelu as primitive ops even in float32. */
  decompose?: boolean
  /** Weights to embed (by name); missing ones are initialised from `seed`. */
  weights?: ReadonlyMap<string, Float32Array | Float64Array>
  seed?: number
  opset?: number
}

export interface GptGraph {
  model: Model
  params: GptParam[]
  config: GptConfig
}

/** The MLP hidden width of a config. */
export function mlpHidden(c: GptConfig): number {
  if (c.mlpHidden) return c.mlpHidden
  return c.mlp === 'gelu' ? 4 * c.dModel : Math.ceil((8 * c.dModel) / 3 / 8) * 8
}

/** Every trainable tensor of a config, in graph order. */
export function gptParams(c: GptConfig): GptParam[] {
  const d = c.dModel
  const h = mlpHidden(c)
  const p: GptParam[] = [{ name: 'wte', shape: [c.vocab, d], decay: true }]
  if (c.positions === 'learned') p.push({ name: 'wpe', shape: [c.context, d], decay: true })
  const norm = (name: string) => {
    p.push({ name: `${name}.scale`, shape: [d], decay: false })
    if (c.norm === 'layernorm') p.push({ name: `${name}.bias`, shape: [d], decay: false })
  }
  const linear = (name: string, rows: number, cols: number) => {
    p.push({ name: `${name}.weight`, shape: [rows, cols], decay: true })
    if (c.bias) p.push({ name: `${name}.bias`, shape: [cols], decay: false })
  }
  for (let l = 0; l < c.layers; l++) {
    norm(`block${l}.ln1`)
    linear(`block${l}.attn.qkv`, d, 3 * d)
    linear(`block${l}.attn.proj`, d, d)
    norm(`block${l}.ln2`)
    if (c.mlp === 'gelu') {
      linear(`block${l}.mlp.fc`, d, h)
      linear(`block${l}.mlp.proj`, h, d)
    } else {
      linear(`block${l}.mlp.gate`, d, h)
      linear(`block${l}.mlp.up`, d, h)
      linear(`block${l}.mlp.down`, h, d)
    }
  }
  norm('ln_f')
  if (!c.tiedEmbeddings) linear('head', d, c.vocab)
  return p
}

/** Number of trainable parameters. */
export function gptParameterCount(c: GptConfig): number {
  return gptParams(c).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0)
}

/**
 * Training FLOPs per token: 6·N for the matrix products (N = parameters that take part in a product:
 * every weight matrix including the output head, not the position table or the embedding lookup)
 * plus 12·layers·d·T for attention scores and mixing (forward 4·d·T per layer, backward twice that).
 */
export function gptTrainFlopsPerToken(c: GptConfig, sequence: number): number {
  let n = 0
  for (const p of gptParams(c)) {
    if (p.name === 'wpe' || p.shape.length !== 2) continue
    if (p.name === 'wte' && !c.tiedEmbeddings) continue
    n += p.shape[0] * p.shape[1]
  }
  return 6 * n + 12 * c.layers * c.dModel * sequence
}

/** Initial values: N(0, initStd²) weights (residual projections scaled by 1/√(2·layers)), unit gains, zero biases. */
export function initGptWeights(c: GptConfig, seed = 1): Map<string, Float32Array> {
  const rng = Rng.fromSeed(seed)
  const out = new Map<string, Float32Array>()
  for (const p of gptParams(c)) {
    const n = p.shape.reduce((a, b) => a * b, 1)
    if (p.name.endsWith('.scale')) out.set(p.name, new Float32Array(n).fill(1))
    else if (p.name.endsWith('.bias')) out.set(p.name, new Float32Array(n))
    else {
      const residual = p.name.endsWith('attn.proj.weight') || p.name.endsWith('mlp.proj.weight') || p.name.endsWith('mlp.down.weight')
      out.set(p.name, normals(rng, n, residual ? c.initStd / Math.sqrt(2 * c.layers) : c.initStd))
    }
  }
  return out
}

/**
 * The forward graph of a GPT: input_ids (B, T) → logits (B·T, V) and/or the mean cross-entropy
 * `loss` against `targets` (B, T) (SoftmaxCrossEntropyLoss, ignore_index). Pre-norm blocks, causal
 * self-attention, the residual stream kept 2-D (B·T, d) so every linear layer is one Gemm.
 * Weights are initializers named as in `gptParams` (autodiff turns the trained ones into inputs).
 */
export function buildGpt(config: Partial<GptConfig>, options: GptGraphOptions): GptGraph {
  const c: GptConfig = { ...gptDefaults, ...config }
  const dtype = options.dtype ?? DataType.float
  const T = options.sequence
  const d = c.dModel
  const hd = d / c.heads
  if (!Number.isInteger(hd)) throw new NashlabError('invalid_input', `dModel ${d} is not a multiple of heads ${c.heads}.`)
  if (T > c.context) throw new NashlabError('invalid_input', `Sequence length ${T} exceeds the context ${c.context}.`)
  if (c.positions === 'rotary' && hd % 2 !== 0) throw new NashlabError('invalid_input', `Rotary positions need an even head size, got ${hd}.`)
  const opset = options.opset ?? DEFAULT_OPSET
  const decompose = options.decompose || dtype !== DataType.float
  if (c.mlp === 'gelu' && decompose && dtype === DataType.double && c.geluApproximation === 'none') {
    throw new NashlabError('invalid_input', "A float64 GPT needs geluApproximation 'tanh' (ONNX Runtime has no float64 Erf or Gelu kernel).")
  }
  const params = gptParams(c)
  const init = options.weights && params.every((p) => options.weights!.has(p.name)) ? undefined : initGptWeights(c, options.seed ?? 1)
  const b = GraphBuilder.create('gpt', opset)
  const w: Record<string, Value> = {}
  for (const p of params) {
    const data = options.weights?.get(p.name) ?? init!.get(p.name)!
    w[p.name] = b.initializer(p.name, dtype, p.shape, dtype === DataType.double ? Float64Array.from(data) : Float32Array.from(data))
  }
  const B: Dim = options.batch
  const ids = b.input('input_ids', DataType.int64, [B, T])
  const scalar = (v: number) => b.scalar(v, dtype)

  const norm = (x: Value, name: string) =>
    b.scope(name, () => {
      const scale = w[`${name}.scale`]
      if (c.norm === 'layernorm') {
        if (!decompose && opset >= 17) return b.node('LayerNormalization', [x, scale, w[`${name}.bias`]], { epsilon: c.normEpsilon }, { name: 'norm' })[0]
        const centered = b.sub(x, b.reduceMean(x, [-1], true, 'mean'), 'centered')
        const variance = b.reduceMean(b.mul(centered, centered, 'square'), [-1], true, 'variance')
        const normed = b.div(centered, b.sqrt(b.add(variance, scalar(c.normEpsilon), 'variance_eps'), 'std'), 'normed')
        return b.add(b.mul(normed, scale, 'scaled'), w[`${name}.bias`], 'norm')
      }
      // RMSNorm as exporters write it: Pow → ReduceMean → Add ε → Sqrt → Div, then the gain.
      const meanSquare = b.reduceMean(b.pow(x, scalar(2), 'square'), [-1], true, 'mean_square')
      const normed = b.div(x, b.sqrt(b.add(meanSquare, scalar(c.normEpsilon), 'mean_square_eps'), 'rms'), 'normed')
      return b.mul(normed, scale, 'norm')
    })
  const linear = (x: Value, name: string, local: string) => b.gemm(x, w[`${name}.weight`], c.bias ? w[`${name}.bias`] : null, {}, local)
  const gelu = (x: Value) => {
    if (!decompose && opset >= 20) return b.op('Gelu', [x], c.geluApproximation === 'tanh' ? { approximate: 'tanh' } : {}, 'gelu')
    if (c.geluApproximation === 'none') {
      const cdf = b.mul(b.add(scalar(1), b.erf(b.mul(x, scalar(Math.SQRT1_2), 'scaled'), 'erf'), 'one_plus_erf'), scalar(0.5), 'cdf')
      return b.mul(x, cdf, 'gelu')
    }
    const cubic = b.mul(b.mul(b.mul(x, x, 'x2'), x, 'x3'), scalar(0.044715), 'cubic')
    const t = b.tanh(b.mul(b.add(x, cubic, 'inner'), scalar(Math.sqrt(2 / Math.PI)), 'u'), 'tanh')
    return b.mul(b.mul(x, scalar(0.5), 'half_x'), b.add(scalar(1), t, 'one_plus_tanh'), 'gelu')
  }

  // Rotary tables (T, hd/2): angle = position · θ^(−2i/hd).
  let rope: { cos: Value; sin: Value } | undefined
  if (c.positions === 'rotary') {
    const half = hd / 2
    const cos = new Float64Array(T * half)
    const sin = new Float64Array(T * half)
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < half; i++) {
        const angle = t * c.ropeTheta ** (-(2 * i) / hd)
        cos[t * half + i] = Math.cos(angle)
        sin[t * half + i] = Math.sin(angle)
      }
    }
    rope = { cos: b.constant(dtype, [T, half], cos, 'rope.cos'), sin: b.constant(dtype, [T, half], sin, 'rope.sin') }
  }
  const rotate = (x: Value, local: string) =>
    b.scope(local, () => {
      // (B, H, T, hd): [x₁, x₂] → [x₁·cos − x₂·sin, x₂·cos + x₁·sin]
      const [x1, x2] = b.split(x, [hd / 2, hd / 2], 3, 'halves')
      const first = b.sub(b.mul(x1, rope!.cos, 'x1_cos'), b.mul(x2, rope!.sin, 'x2_sin'), 'first')
      const second = b.add(b.mul(x2, rope!.cos, 'x2_cos'), b.mul(x1, rope!.sin, 'x1_sin'), 'second')
      return b.concat([first, second], 3, 'rotated')
    })

  // Causal mask (T, T): 0 on and below the diagonal, −10⁹ above (exp underflows to exactly 0).
  const maskValues = new Float64Array(T * T)
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) maskValues[i * T + j] = -1e9
  const mask = b.constant(dtype, [T, T], maskValues, 'causal_mask')

  let x = b.scope('embed', () => {
    const tokens = b.gather(w.wte, ids, 0, 'tokens') // (B, T, d)
    const positioned = c.positions === 'learned' ? b.add(tokens, T === c.context ? w.wpe : b.slice(w.wpe, [0], [T], [0], undefined, 'positions'), 'positioned') : tokens
    return b.reshape(positioned, [-1, d], 'rows') // (B·T, d)
  })
  for (let l = 0; l < c.layers; l++) {
    x = b.scope(`block${l}`, () => {
      const h = norm(x, `block${l}.ln1`)
      const attn = b.scope('attn', () => {
        const qkv = linear(h, `block${l}.attn.qkv`, 'qkv') // (B·T, 3d)
        const [q0, k0, v0] = b.split(qkv, [d, d, d], 1, 'split')
        const heads = (t: Value, local: string) => b.transpose(b.reshape(t, [-1, T, c.heads, hd], `${local}_heads`), [0, 2, 1, 3], local) // (B, H, T, hd)
        let q = heads(q0, 'q')
        let k = heads(k0, 'k')
        const v = heads(v0, 'v')
        if (rope) {
          q = rotate(q, 'rope_q')
          k = rotate(k, 'rope_k')
        }
        // The 1/√hd scale follows the product, where ONNX Runtime folds it into the MatMul.
        const qk = b.mul(b.matMul(q, b.transpose(k, [0, 1, 3, 2], 'k_t'), 'qk'), scalar(1 / Math.sqrt(hd)), 'qk_scaled')
        const scores = b.add(qk, mask, 'masked') // (B, H, T, T)
        const probs = b.softmax(scores, -1, 'probs')
        const mixed = b.matMul(probs, v, 'pv') // (B, H, T, hd)
        const merged = b.reshape(b.transpose(mixed, [0, 2, 1, 3], 'merge'), [-1, d], 'rows') // (B·T, d)
        return linear(merged, `block${l}.attn.proj`, 'proj')
      })
      const mid = b.add(x, attn, 'residual1')
      const h2 = norm(mid, `block${l}.ln2`)
      const mlp = b.scope('mlp', () => {
        if (c.mlp === 'gelu') return linear(gelu(linear(h2, `block${l}.mlp.fc`, 'fc')), `block${l}.mlp.proj`, 'proj')
        const gate = linear(h2, `block${l}.mlp.gate`, 'gate')
        const silu = b.mul(gate, b.sigmoid(gate, 'sigmoid'), 'silu')
        return linear(b.mul(silu, linear(h2, `block${l}.mlp.up`, 'up'), 'gated'), `block${l}.mlp.down`, 'down')
      })
      return b.add(mid, mlp, 'residual2')
    })
  }
  const final = norm(x, 'ln_f')
  const logits = b.scope('head', () => (c.tiedEmbeddings ? b.gemm(final, w.wte, null, { transB: true }, 'logits') : linear(final, 'head', 'logits'))) // (B·T, V)
  if (options.outputs !== 'loss') b.output(logits, 'logits')
  if (options.outputs !== 'logits') {
    const targets = b.input('targets', DataType.int64, [B, T])
    const flat = b.reshape(targets, [-1], 'targets_flat')
    const [loss] = b.node('SoftmaxCrossEntropyLoss', [logits, flat], { ignore_index: options.ignoreIndex ?? -100 }, { name: 'loss.cross_entropy' })
    b.output(loss, 'loss')
  }
  return { model: b.toModel(), params, config: c }
}
