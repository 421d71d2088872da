import { NashlabError } from '../api/errors'
import { leftPadded, type LeftPadded } from '../models/padding'
import { ort, type InferenceSession, type Tensor } from '../runtime/ort'

/**
 * What the generation loop must know of a decoder graph with the standard I/O names
 * (input_ids, attention_mask, [position_ids], past_key_values.{i}.key/value → logits, present.{i}.key/value).
 */
export interface DecoderIo {
  layers: number
  /** Heads of the KV cache (fewer than the query heads in grouped-query attention). */
  kvHeads: number
  headSize: number
  vocabSize: number
  /** The graph takes position_ids. */
  positionIds: boolean
  /** Longest row (prompt + completion) the model accepts; null when the graph sets no limit. */
  context: number | null
}

/** A batch of rows being continued token by token: what the sampling loop drives. */
export interface DecoderRows {
  readonly io: DecoderIo
  /** Run the prompts (left-padded to one width); returns the last position's logits, (rows, V). `reserve`: tokens still to come. */
  start(prompts: readonly (readonly number[])[], reserve?: number): Promise<Float32Array>
  /** Feed one token per row; returns the next logits, (rows, V). */
  step(tokens: readonly number[]): Promise<Float32Array>
}

/**
 * One batch of rows being continued with a standard KV cache (present = past ⧺ new, as exported and
 * imported decoders do). `start` left-pads the prompts to one width
 * and runs them all at once (the prefill); each `step` feeds one token per row and returns the next
 * logits. Padded positions are masked out of attention and positions count real tokens only, so a
 * row's logits do not depend on how long the other rows are.
 *
 * Weights may be graph inputs (a policy whose weights change during training): pass them as
 * `feeds`; they are given to every run (ONNX Runtime does not copy inputs).
 */
export class DecoderBatch implements DecoderRows {
  private past: Record<string, Tensor> = {}
  private mask: number[][] = []
  private positions: number[] = []
  private width = 0
  /** Row count of the batch. */
  rows = 0

  constructor(
    private readonly session: InferenceSession,
    readonly io: DecoderIo,
    private readonly feeds: Record<string, Tensor> = {},
  ) {}

  /** Tokens in the longest row so far (prompt + generated), padding included. */
  get length(): number {
    return this.width
  }

  /** Prefill: run the prompts; returns the last position's logits, (rows, V). */
  async start(prompts: readonly (readonly number[])[]): Promise<Float32Array> {
    const padded = leftPad(prompts)
    checkContext(this.io, padded.width)
    this.rows = prompts.length
    this.width = padded.width
    this.mask = Array.from({ length: this.rows }, (_, r) => Array.from(padded.mask.subarray(r * padded.width, (r + 1) * padded.width), Number))
    this.positions = prompts.map((p) => p.length)
    this.past = emptyPast(this.io, this.rows)
    return this.run(padded.ids, padded.mask, padded.positions, padded.width)
  }

  /** Feed one token per row (rows that have finished may be fed anything); returns the next logits (rows, V). */
  async step(tokens: readonly number[]): Promise<Float32Array> {
    if (tokens.length !== this.rows) throw new NashlabError('internal', `A step needs ${this.rows} tokens, one per row; got ${tokens.length}.`)
    checkContext(this.io, Math.max(...this.positions) + 1)
    const ids = BigInt64Array.from(tokens, (t) => BigInt(t))
    const positions = BigInt64Array.from(this.positions, (p) => BigInt(p))
    for (let r = 0; r < this.rows; r++) {
      this.mask[r].push(1)
      this.positions[r]++
    }
    this.width++
    const mask = new BigInt64Array(this.rows * this.width)
    for (let r = 0; r < this.rows; r++) for (let t = 0; t < this.width; t++) mask[r * this.width + t] = BigInt(this.mask[r][t])
    return this.run(ids, mask, positions, 1)
  }

  private async run(ids: BigInt64Array, mask: BigInt64Array, positions: BigInt64Array, sequence: number): Promise<Float32Array> {
    const out = await this.session.run({ ...this.feeds, ...this.past, ...tokenFeeds(this.io, this.rows, ids, mask, positions, sequence) })
    for (let l = 0; l < this.io.layers; l++) {
      for (const kv of ['key', 'value']) this.past[`past_key_values.${l}.${kv}`] = out[`present.${l}.${kv}`]
    }
    return lastLogits(out.logits, this.rows, this.io.vocabSize)
  }
}

/** Left-pad the prompts to the longest (`leftPadded`), refusing an empty batch or an empty prompt. */
export function leftPad(prompts: readonly (readonly number[])[]): LeftPadded {
  if (prompts.length === 0) throw new NashlabError('invalid_input', 'There are no prompts to continue.')
  prompts.forEach((prompt, r) => {
    if (prompt.length === 0) throw new NashlabError('invalid_input', `Prompt ${r} has no tokens; a decoder needs at least one token to continue.`, { prompt: r })
  })
  return leftPadded(prompts)
}

/** Refuse a row of `length` tokens beyond the model's context. */
export function checkContext(io: DecoderIo, length: number): void {
  if (io.context !== null && length > io.context) {
    throw new NashlabError('invalid_input', `A row would reach ${length} tokens; the model's context is ${io.context}.`, { length, context: io.context })
  }
}

/** An empty KV cache, (rows, kvHeads, 0, headSize) per layer, under the inputs' names (`prefix` before each). */
export function emptyPast(io: DecoderIo, rows: number, prefix = ''): Record<string, Tensor> {
  const past: Record<string, Tensor> = {}
  const empty = new Float32Array(0)
  for (let l = 0; l < io.layers; l++) {
    for (const kv of ['key', 'value']) past[`${prefix}past_key_values.${l}.${kv}`] = new ort.Tensor('float32', empty, [rows, io.kvHeads, 0, io.headSize])
  }
  return past
}

/** The token inputs of a run: ids and positions (rows, sequence), the mask (rows, mask.length / rows); position_ids only when the graph takes them. */
export function tokenFeeds(io: DecoderIo, rows: number, ids: BigInt64Array, mask: BigInt64Array, positions: BigInt64Array, sequence: number): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {
    input_ids: new ort.Tensor('int64', ids, [rows, sequence]),
    attention_mask: new ort.Tensor('int64', mask, [rows, mask.length / rows]),
  }
  if (io.positionIds) feeds.position_ids = new ort.Tensor('int64', positions, [rows, sequence])
  return feeds
}

/** (rows, V) logits of the last position from logits of shape (rows, S, V) or (rows, 1, V). */
export function lastLogits(logits: Tensor, rows: number, vocab: number): Float32Array {
  const data = logits.data as Float32Array
  const dims = logits.dims
  const sequence = dims.length === 3 ? dims[1] : 1
  const V = dims[dims.length - 1]
  if (V < vocab) throw new NashlabError('internal', `The model's logits have ${V} entries per position; its vocabulary has ${vocab}.`)
  if (sequence === 1 && V === vocab) return data
  const out = new Float32Array(rows * vocab)
  for (let r = 0; r < rows; r++) out.set(data.subarray((r * sequence + sequence - 1) * V, (r * sequence + sequence - 1) * V + vocab), r * vocab)
  return out
}
