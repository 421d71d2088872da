import type { GraphBuilder, Value } from '../onnx/builder'
import { DataType } from '../onnx/dtype'
import type { Dim } from '../onnx/model'
import { headSize, type DecoderConfig } from './config'
import { weightSpecs, type Weights } from './weights'

/**
 * The decoder of gpt.ts (same config, same weight names, same arithmetic) with what generation
 * and batching need beyond it: an attention mask (padding), position ids, and a KV cache. The eval
 * program, the generation step and the exported model are built from this definition; gpt.ts's
 * own forward (no mask, fixed positions) serves the SFT train step, and the two agree on the same
 * weights (decoder.test.ts).
 *
 * Inputs use the names other ONNX consumers of decoder models use (transformers / Optimum exports):
 *   input_ids                   int64 (batch, sequence)
 *   attention_mask              int64 (batch, past + sequence)   1 = a real token, 0 = padding
 *   position_ids                int64 (batch, sequence)          index of each token within its row
 *   past_key_values.{i}.key     float (batch, heads, past, headSize)   (with a KV cache)
 *   past_key_values.{i}.value   float (batch, heads, past, headSize)
 * and the block returns the final hidden states plus, with a cache, each layer's keys and values
 * over past + sequence (`present.{i}.key/value`). Keys are stored after the rotary rotation.
 *
 * A query at row position p (counting past tokens) attends to keys at positions ≤ p whose
 * attention_mask is 1; so rows may be left-padded, and padded positions never leak into real ones.
 */
export interface DecoderInputs {
  inputIds: Value
  attentionMask: Value
  positionIds: Value
  /** Per layer, with a KV cache. */
  past?: { key: Value; value: Value }[]
  /**
   * 'concat' (standard): present = past ⧺ new, what exported models do. 'slots': the past is a
   * buffer the caller keeps (masked where unfilled) and present holds only the new keys and values,
   * which the caller writes into its buffer: the whole cache is never copied out of the session.
   */
  cacheMode?: 'concat' | 'slots'
}

export interface DecoderOutputs {
  /** Final normalised hidden states (batch, sequence, dModel). */
  hidden: Value
  /** Per layer keys and values over past + sequence (only the new ones in 'slots' mode), with a KV cache. */
  present?: { key: Value; value: Value }[]
}

/** Where a weight comes from: an initializer (constant) or a graph input (trainable, or swapped per run). */
export type WeightSource = (name: string) => Value

/** The symbolic dim names of exported decoders. */
export const dimNames = {
  batch: 'batch_size',
  sequence: 'sequence_length',
  past: 'past_sequence_length',
  total: 'total_sequence_length',
} as const

export interface InputShape {
  batch: Dim
  sequence: Dim
  /** Past length with a KV cache; undefined without one. */
  past?: Dim
}

/** Declare the standard decoder inputs (past_key_values only when `shape.past` is set). */
export function declareDecoderInputs(b: GraphBuilder, c: DecoderConfig, shape: InputShape): DecoderInputs {
  const { batch, sequence, past } = shape
  const total: Dim = past === undefined ? sequence : typeof past === 'number' && typeof sequence === 'number' ? past + sequence : dimNames.total
  const inputs: DecoderInputs = {
    inputIds: b.input('input_ids', DataType.int64, [batch, sequence]),
    attentionMask: b.input('attention_mask', DataType.int64, [batch, total]),
    positionIds: b.input('position_ids', DataType.int64, [batch, sequence]),
  }
  if (past !== undefined) inputs.past = declarePast(b, c, batch, past)
  return inputs
}

/** A KV cache's inputs, `${prefix}past_key_values.{i}.key/value`, (batch, heads, past, headSize) per layer. */
export function declarePast(b: GraphBuilder, c: DecoderConfig, batch: Dim, past: Dim, prefix = ''): { key: Value; value: Value }[] {
  const cacheShape: Dim[] = [batch, c.heads, past, headSize(c)]
  return Array.from({ length: c.layers }, (_, i) => ({
    key: b.input(`${prefix}past_key_values.${i}.key`, DataType.float, cacheShape),
    value: b.input(`${prefix}past_key_values.${i}.value`, DataType.float, cacheShape),
  }))
}

/** Weights as initializers of the graph, under their own names (`prefix` before each: one graph holding several models). */
export function constantWeights(b: GraphBuilder, c: DecoderConfig, weights: Weights, prefix = ''): WeightSource {
  for (const spec of weightSpecs(c)) b.initializer(`${prefix}${spec.name}`, DataType.float, spec.shape, weights.get(spec.name)!)
  return (name) => b.value(`${prefix}${name}`)
}

/** Weights as float graph inputs under their own names, `prefix` before each (fed each run). */
export function inputWeights(b: GraphBuilder, c: DecoderConfig, prefix = ''): WeightSource {
  for (const spec of weightSpecs(c)) b.input(`${prefix}${spec.name}`, DataType.float, spec.shape)
  return (name) => b.value(`${prefix}${name}`)
}

export interface TrunkOptions {
  /**
   * Only the last position's hidden state is wanted (a score head on the last token): the final
   * block then computes its keys and values over every position but its query, attention, MLP and
   * norm for the last position alone, and `hidden` is (B, 1, D). Saves about 1/layers of the work.
   */
  lastPosition?: boolean
  /**
   * Every row feeds one token (a decoding step with a KV cache; input_ids (B, 1)): the heads come
   * from reshapes alone (with one position, moving the sequence axis moves nothing) and the mask is
   * the attention mask alone (the one query comes after every key), and with a slot cache the new
   * key's and value's products are elementwise (slotAttention). The same logits within float
   * rounding with fewer operators, 110 where the any-length slot step has 135 after ONNX Runtime's
   * fusions (d 128, 4 layers): at batch 1 a small model's step is mostly ONNX Runtime's
   * per-operator cost. Wrong for more than one position per row.
   */
  onePosition?: boolean
}

/**
 * The decoder trunk: embeddings, blocks, final norm. Shapes: B batch, S sequence, T past + sequence.
 * The residual stream is kept 2-D, (B·S, D), as gpt.ts keeps it, so each linear layer is one Gemm
 * (bias included); the queries, keys and values of a block come from one reshape, one transpose and
 * one split of the fused projection. Fewer nodes matter: a decoding step is one position, where
 * ONNX Runtime's per-node cost, not arithmetic, sets the time.
 */
export function decoderTrunk(b: GraphBuilder, c: DecoderConfig, w: WeightSource, inputs: DecoderInputs, options: TrunkOptions = {}): DecoderOutputs {
  const Dh = headSize(c)
  const D = c.dModel
  const H = c.heads
  let x3 = b.gather(w('wte'), inputs.inputIds, 0, 'embed.tokens') // (B, S, D)
  if (c.positions === 'learned') x3 = b.add(x3, b.gather(w('wpe'), inputs.positionIds, 0, 'embed.positions'), 'embed.sum')
  let x = b.reshape(x3, [-1, D], 'embed.rows') // (B·S, D)
  const rowsShape = b.shape(inputs.inputIds, 'rows.shape') // [B, S]
  const headsShape = b.concat([rowsShape, b.ints([3 * H, Dh])], 0, 'heads.shape') // [B, S, 3H, Dh]
  const one = options.onePosition === true
  const mask = b.scope('mask', () => (one ? b.unsqueeze(b.cast(inputs.attentionMask, DataType.bool, 'real'), [1, 2], 'visible') : attentionMask(b, inputs))) // (B, 1, S, T)
  const rotary = c.positions === 'rotary' ? b.scope('rotary', () => rotaryTables(b, c, inputs.positionIds)) : undefined
  const present: { key: Value; value: Value }[] = []
  // A slot cache's attention splits its probabilities after the past slots (slotAttention): the same for every layer.
  const pastLength = inputs.past && inputs.cacheMode === 'slots' ? b.slice(b.shape(inputs.past[0].key, 'past.shape'), [2], [3], [0], undefined, 'past.length') : undefined
  for (let i = 0; i < c.layers; i++) {
    // The final block of a last-position trunk: queries, and all that follows them, for the last position only.
    const lastOnly = options.lastPosition === true && i === c.layers - 1
    x = b.scope(`block${i}`, () => {
      const h = b.scope('ln1', () => norm(b, c, w, `block${i}.ln1`, x))
      let residual = x
      const attended = b.scope('attn', () => {
        const qkv = linear(b, c, w, `block${i}.attn.qkv`, h, 'qkv') // (B·S, 3D)
        const heads = one ? b.reshape(qkv, [-1, 3 * H, 1, Dh], 'heads') : b.transpose(b.reshape(qkv, headsShape, 'heads'), [0, 2, 1, 3], 'heads.t') // (B, 3H, S, Dh): q heads, k heads, v heads
        const [q0, k0, v] = b.split(heads, [H, H, H], 1, 'split') // each (B, H, S, Dh)
        const q1 = rotary ? b.scope('q', () => rotate(b, q0, rotary, Dh)) : q0
        const q = lastOnly ? b.slice(q1, [-1], [2 ** 62], [2], undefined, 'q.last') : q1 // (B, H, 1, Dh)
        if (lastOnly) residual = b.reshape(b.slice(b.reshape(x, b.concat([rowsShape, b.ints([D])], 0, 'rows3.shape'), 'rows3'), [-1], [2 ** 62], [1], undefined, 'x.last'), [-1, D], 'x.last.rows') // (B, D)
        const k = rotary ? b.scope('k', () => rotate(b, k0, rotary, Dh)) : k0
        const past = inputs.past?.[i]
        const visible = lastOnly ? b.slice(mask, [-1], [2 ** 62], [2], undefined, 'mask.last') : mask
        let mixed: Value // (B, H, S, Dh)
        if (past && inputs.cacheMode === 'slots') {
          // The slot form returns only this step's keys and values, and never joins them to the past.
          present.push({ key: k, value: v })
          mixed = slotAttention(b, q, k, v, past, visible, { pastLength: pastLength!, headSize: Dh, one })
        } else {
          const keys = past ? b.concat([past.key, k], 2, 'present.key') : k // (B, H, T, Dh)
          const values = past ? b.concat([past.value, v], 2, 'present.value') : v
          if (past) present.push({ key: keys, value: values })
          const scaled = b.mul(q, b.scalar(1 / Math.sqrt(Dh)), 'q.scaled')
          const scores = b.matMul(scaled, b.transpose(keys, [0, 1, 3, 2], 'k.t'), 'scores') // (B, H, S, T)
          const probs = b.softmax(b.where(visible, scores, b.scalar(-1e9), 'masked'), -1, 'probs')
          mixed = b.matMul(probs, values, 'mix')
        }
        const merged = b.reshape(one ? mixed : b.transpose(mixed, [0, 2, 1, 3], 'mix.t'), [-1, D], 'merge') // (B·S, D)
        return linear(b, c, w, `block${i}.attn.proj`, merged, 'proj')
      })
      const x1 = b.add(residual, attended, 'residual1')
      const h2 = b.scope('ln2', () => norm(b, c, w, `block${i}.ln2`, x1))
      const m = b.scope('mlp', () => mlp(b, c, w, `block${i}.mlp`, h2))
      return b.add(x1, m, 'residual2')
    })
  }
  const normed = b.scope('ln_f', () => norm(b, c, w, 'ln_f', x)) // (B·S, D)
  const hidden = options.lastPosition || one ? b.reshape(normed, [-1, 1, D], 'hidden') : b.reshape(normed, b.concat([rowsShape, b.ints([D])], 0, 'hidden.shape'), 'hidden') // (B, S, D) or (B, 1, D)
  return { hidden, ...(inputs.past ? { present } : {}) }
}

/**
 * Attention of a slot cache's step: the past slots (B, H, P, Dh) and this step's keys and values
 * (B, H, S, Dh) are attended to apart, never joined. The standard form, Concat(past, new), copies
 * the whole cache every step, which was a quarter of a d 128 step's kernel time at batch 8. Over
 * T = P + S keys, with the mask (B, 1, S, T) in that order:
 *   scores = [q·pastᵀ ⧺ q·newᵀ] / √Dh   (B, H, S, T);   p = softmax(masked scores) = [p_past ⧺ p_new]
 *   mixed  = p_past · past_values + p_new · new_values   (B, H, S, Dh)
 * The scale comes after the mask: ONNX Runtime folds a scale next to a MatMul into its alpha, and a
 * one-row product with alpha ≠ 1 loses MLAS's one-row kernel (the past's products ran ≈ 15% slower).
 * With one position (`one`) the new key and value are one per head: their products are a Mul and a
 * ReduceSum, not 32 one-by-one MatMuls. `pastLength`: [P] (int64), where the probabilities split.
 */
function slotAttention(b: GraphBuilder, q: Value, k: Value, v: Value, past: { key: Value; value: Value }, visible: Value, o: { pastLength: Value; headSize: number; one: boolean }): Value {
  const { pastLength, one } = o
  const pastScores = b.matMul(q, b.transpose(past.key, [0, 1, 3, 2], 'past.k.t'), 'past.scores') // (B, H, S, P)
  const newScores = one ? b.reduceSum(b.mul(q, k, 'new.products'), [3], true, 'new.scores') : b.matMul(q, b.transpose(k, [0, 1, 3, 2], 'k.t'), 'new.scores') // (B, H, S, S)
  const scores = b.concat([pastScores, newScores], 3, 'scores') // (B, H, S, T)
  const masked = b.mul(b.where(visible, scores, b.scalar(-1e9), 'masked'), b.scalar(1 / Math.sqrt(o.headSize)), 'scaled')
  const probs = b.softmax(masked, -1, 'probs')
  const axis = b.ints([3])
  const pastProbs = b.op('Slice', [probs, b.ints([0]), pastLength, axis], {}, 'past.probs') // (B, H, S, P)
  const newProbs = b.op('Slice', [probs, pastLength, b.ints([2 ** 62]), axis], {}, 'new.probs') // (B, H, S, S)
  const newMix = one ? b.mul(newProbs, v, 'new.mix') : b.matMul(newProbs, v, 'new.mix')
  return b.add(b.matMul(pastProbs, past.value, 'past.mix'), newMix, 'mix')
}

/** Logits (B, S, V) from hidden states: the tied embedding transposed, or the head matrix (and bias). */
export function decoderHead(b: GraphBuilder, c: DecoderConfig, w: WeightSource, hidden: Value): Value {
  if (c.tiedEmbeddings) return b.matMul(hidden, b.transpose(w('wte'), [1, 0], 'head.tied'), 'head')
  return b.scope('head', () => linear(b, c, w, 'head', hidden, 'logits'))
}

/** x · W (+ b when the config has biases): one Gemm for 2-D rows, MatMul (+ Add) otherwise. */
function linear(b: GraphBuilder, c: DecoderConfig, w: WeightSource, name: string, x: Value, local: string): Value {
  if (x.shape.length === 2) return b.gemm(x, w(`${name}.weight`), c.bias ? w(`${name}.bias`) : null, {}, local)
  const y = b.matMul(x, w(`${name}.weight`), local)
  return c.bias ? b.add(y, w(`${name}.bias`), `${local}.bias`) : y
}

/** (B, 1, S, T) boolean: key j is visible to query i (causal, by position within the row, and not padding). */
function attentionMask(b: GraphBuilder, inputs: DecoderInputs): Value {
  const int = (v: number) => b.scalar(v, DataType.int64)
  const total = b.gather(b.shape(inputs.attentionMask), int(1), 0, 'total')
  const sequence = b.gather(b.shape(inputs.inputIds), int(1), 0, 'sequence')
  const keys = b.op('Range', [int(0), total, int(1)], {}, 'keys') // (T)
  const queries = b.op('Range', [b.sub(total, sequence, 'past'), total, int(1)], {}, 'queries') // (S)
  const causal = b.op('LessOrEqual', [b.unsqueeze(keys, [0], 'keys.row'), b.unsqueeze(queries, [1], 'queries.column')], {}, 'causal') // (S, T)
  const real = b.unsqueeze(b.cast(inputs.attentionMask, DataType.bool, 'real'), [1, 2], 'real.4d') // (B, 1, 1, T)
  return b.op('And', [causal, real], {}, 'visible') // (B, 1, S, T)
}

interface RotaryTables {
  cos: Value
  sin: Value
}

/** cos and sin of each token's position times each frequency, (B, 1, S, Dh/2). */
function rotaryTables(b: GraphBuilder, c: DecoderConfig, positionIds: Value): RotaryTables {
  const half = headSize(c) / 2
  const cos = new Float32Array(c.context * half)
  const sin = new Float32Array(c.context * half)
  for (let p = 0; p < c.context; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p * c.ropeTheta ** (-i / half)
      cos[p * half + i] = Math.cos(angle)
      sin[p * half + i] = Math.sin(angle)
    }
  }
  const table = (name: string, data: Float32Array) =>
    b.unsqueeze(b.gather(b.constant(DataType.float, [c.context, half], data, `${name}.table`), positionIds, 0, name), [1], `${name}.heads`)
  return { cos: table('cos', cos), sin: table('sin', sin) }
}

/** Rotate-half rotary embedding (GPT-NeoX / Llama layout): [x1·cos − x2·sin, x2·cos + x1·sin]. */
function rotate(b: GraphBuilder, x: Value, t: RotaryTables, Dh: number): Value {
  const half = Dh / 2
  const x1 = b.slice(x, [0], [half], [3], undefined, 'first')
  const x2 = b.slice(x, [half], [Dh], [3], undefined, 'second')
  const r1 = b.sub(b.mul(x1, t.cos, 'first.cos'), b.mul(x2, t.sin, 'second.sin'), 'rotated1')
  const r2 = b.add(b.mul(x2, t.cos, 'second.cos'), b.mul(x1, t.sin, 'first.sin'), 'rotated2')
  return b.concat([r1, r2], 3, 'rotated')
}

/** LayerNorm (scale and bias) or RMSNorm (x / √(mean(x²) + ε) · scale) over the last axis. */
function norm(b: GraphBuilder, c: DecoderConfig, w: WeightSource, prefix: string, x: Value): Value {
  if (c.norm === 'layernorm') {
    return b.op('LayerNormalization', [x, w(`${prefix}.scale`), w(`${prefix}.bias`)], { axis: -1, epsilon: c.normEpsilon }, 'layernorm')
  }
  // As gpt.ts writes it: Pow → ReduceMean → Add ε → Sqrt → Div, then the gain.
  const meanSquare = b.reduceMean(b.pow(x, b.scalar(2), 'square'), [-1], true, 'mean_square')
  const normed = b.div(x, b.sqrt(b.add(meanSquare, b.scalar(c.normEpsilon), 'mean_square_eps'), 'rms'), 'normed')
  return b.mul(normed, w(`${prefix}.scale`), 'rmsnorm')
}

/** GELU MLP (proj · GELU(fc · x)) or SwiGLU (down · (SiLU(gate · x) ⊙ up · x)). */
function mlp(b: GraphBuilder, c: DecoderConfig, w: WeightSource, prefix: string, x: Value): Value {
  if (c.mlp === 'gelu') return linear(b, c, w, `${prefix}.proj`, gelu(b, c, linear(b, c, w, `${prefix}.fc`, x, 'fc')), 'proj')
  const gate = linear(b, c, w, `${prefix}.gate`, x, 'gate')
  const silu = b.mul(gate, b.sigmoid(gate, 'gate.sigmoid'), 'silu')
  return linear(b, c, w, `${prefix}.down`, b.mul(silu, linear(b, c, w, `${prefix}.up`, x, 'up'), 'glu'), 'down')
}

/** GELU: the Gelu op from opset 20, below it the same function from Erf (or Tanh) ops, which ONNX Runtime fuses back. */
function gelu(b: GraphBuilder, c: DecoderConfig, x: Value): Value {
  if (b.opset >= 20) return b.op('Gelu', [x], c.geluApproximation === 'tanh' ? { approximate: 'tanh' } : {}, 'gelu')
  const f = (v: number) => b.scalar(v)
  if (c.geluApproximation === 'none') {
    // x·(1 + erf(x/√2))·½, written the way ONNX Runtime's Gelu fusion recognises (Div, Erf, Add, Mul, Mul).
    const erf = b.erf(b.div(x, f(Math.SQRT2), 'scaled'), 'erf')
    return b.mul(b.mul(x, b.add(erf, f(1), 'one_plus_erf'), 'x_cdf'), f(0.5), 'gelu')
  }
  const cubic = b.mul(b.mul(b.mul(x, x, 'x2'), x, 'x3'), f(0.044715), 'cubic')
  const t = b.tanh(b.mul(b.add(x, cubic, 'inner'), f(Math.sqrt(2 / Math.PI)), 'u'), 'tanh')
  return b.mul(b.mul(x, f(0.5), 'half_x'), b.add(f(1), t, 'one_plus_tanh'), 'gelu')
}
