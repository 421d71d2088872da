import { NashlabError } from '../api/errors'
import { ort, type InferenceSession, type Tensor } from '../runtime/ort'
import { checkContext, emptyPast, lastLogits, leftPad, tokenFeeds, type DecoderIo, type DecoderRows } from './decoder-session'

/**
 * A one-thread session of the one-position step program (`sequence: 'one'`: the same arithmetic,
 * fewer operators), for steps too small to share out: `rows` at most this many run on it (see
 * runner.ts's `narrowStepRows`). The prefill, and wider steps, run on the batch's main session.
 */
export interface NarrowStep {
  session: InferenceSession
  rows: number
}

/**
 * One model's KV cache in a slot program: its inputs are `${prefix}past_key_values.{i}.key/value`
 * and its output `${prefix}new_key_values`. A plain decoder has one, prefix ''; a mixture step
 * program (mixture-step.ts) has one per model.
 */
export interface CacheLayout {
  prefix: string
  layers: number
  kvHeads: number
  headSize: number
}

/** The one cache of a plain decoder. */
export function decoderCache(io: DecoderIo): CacheLayout {
  return { prefix: '', layers: io.layers, kvHeads: io.kvHeads, headSize: io.headSize }
}

/** One model's cache buffers, (rows, kvHeads, capacity, headSize) per layer. */
class SlotCache {
  keys: Float32Array[] = []
  values: Float32Array[] = []

  constructor(readonly layout: CacheLayout) {}

  allocate(rows: number, capacity: number): void {
    const size = rows * this.layout.kvHeads * capacity * this.layout.headSize
    this.keys = Array.from({ length: this.layout.layers }, () => new Float32Array(size))
    this.values = Array.from({ length: this.layout.layers }, () => new Float32Array(size))
  }

  /** The buffers as session inputs. */
  feeds(rows: number, capacity: number, into: Record<string, Tensor>): void {
    const { prefix, kvHeads, headSize } = this.layout
    const dims = [rows, kvHeads, capacity, headSize]
    for (let l = 0; l < this.layout.layers; l++) {
      into[`${prefix}past_key_values.${l}.key`] = new ort.Tensor('float32', this.keys[l], dims)
      into[`${prefix}past_key_values.${l}.value`] = new ort.Tensor('float32', this.values[l], dims)
    }
  }

  /** Write a run's new keys and values, (rows, layers · 2 · kvHeads, sequence, headSize), into slots [filled, filled + sequence). */
  write(fresh: Float32Array, rows: number, capacity: number, filled: number, sequence: number): void {
    const { kvHeads, headSize, layers } = this.layout
    const block = sequence * headSize
    for (let r = 0; r < rows; r++) {
      for (let l = 0; l < layers; l++) {
        for (let kv = 0; kv < 2; kv++) {
          const buffer = kv === 0 ? this.keys[l] : this.values[l]
          for (let h = 0; h < kvHeads; h++) {
            const from = (((r * layers + l) * 2 + kv) * kvHeads + h) * block
            buffer.set(fresh.subarray(from, from + block), ((r * kvHeads + h) * capacity + filled) * headSize)
          }
        }
      }
    }
  }

  /** Move the filled slots into buffers of a larger capacity. */
  grow(rows: number, capacity: number, next: number, filled: number): void {
    const { kvHeads, headSize } = this.layout
    const move = (old: Float32Array) => {
      const moved = new Float32Array(rows * kvHeads * next * headSize)
      for (let rh = 0; rh < rows * kvHeads; rh++) moved.set(old.subarray(rh * capacity * headSize, (rh * capacity + filled) * headSize), rh * next * headSize)
      return moved
    }
    this.keys = this.keys.map(move)
    this.values = this.values.map(move)
  }
}

/**
 * A batch continued with a KV cache kept here, in buffers of (rows, kvHeads, capacity, headSize)
 * per layer, for Nashlab's own decoders built with `cache: 'slots'`. Each step feeds the buffers as
 * they are (ONNX Runtime does not copy inputs), masks the unfilled slots, and writes the step's new
 * keys and values (output `new_key_values`, all layers at once) into the next slot. The standard form
 * (present = past ⧺ new) copies the whole cache into and out of the session at every step; this one
 * copies one position.
 *
 * A program may hold several models' caches (`caches`, one per model of a mixture step program);
 * all follow the same tokens, so they share the slots, the mask and the positions.
 *
 * Rows are left-padded to one width at the prefill, so all rows fill the same slot each step.
 */
export class SlotBatch implements DecoderRows {
  private readonly caches: SlotCache[]
  private capacity = 0
  private filled = 0
  /** (rows, capacity): 1 where a slot holds a real token, 0 for padding and unfilled slots. */
  private real = new Uint8Array(0)
  /** The attention mask of a step, (rows, capacity + 1), kept from step to step (one slot changes per step). */
  private stepMask: BigInt64Array | null = null
  /** The cache buffers as session inputs (rebuilt when the capacity grows). */
  private pastFeeds: Record<string, Tensor> = {}
  private positions: number[] = []
  rows = 0

  constructor(
    private readonly session: InferenceSession,
    readonly io: DecoderIo,
    private readonly feeds: Record<string, Tensor> = {},
    private readonly narrow?: NarrowStep,
    caches: readonly CacheLayout[] = [decoderCache(io)],
  ) {
    this.caches = caches.map((layout) => new SlotCache(layout))
  }

  get length(): number {
    return this.filled
  }

  async start(prompts: readonly (readonly number[])[], reserve = 64): Promise<Float32Array> {
    const padded = leftPad(prompts)
    const { width } = padded
    checkContext(this.io, width)
    const rows = (this.rows = prompts.length)
    this.positions = prompts.map((p) => p.length)
    const limit = this.io.context ?? Infinity
    this.capacity = Math.max(width, Math.min(limit, width + reserve))
    for (const cache of this.caches) cache.allocate(rows, this.capacity)
    this.real = new Uint8Array(rows * this.capacity)
    for (let r = 0; r < rows; r++) for (let t = 0; t < width; t++) this.real[r * this.capacity + t] = padded.mask[r * width + t] ? 1 : 0
    this.stepMask = null
    this.filled = 0
    const past: Record<string, Tensor> = {}
    for (const { layout } of this.caches) Object.assign(past, emptyPast({ ...this.io, ...layout }, rows, layout.prefix))
    return this.run(this.session, past, padded.ids, padded.mask, padded.positions, width)
  }

  async step(tokens: readonly number[]): Promise<Float32Array> {
    if (tokens.length !== this.rows) throw new NashlabError('internal', `A step needs ${this.rows} tokens, one per row; got ${tokens.length}.`)
    checkContext(this.io, this.filled + 1)
    if (this.filled === this.capacity) this.grow()
    const { rows, capacity } = this
    if (this.stepMask === null) {
      // Slots [0, capacity) from the real-token flags (unfilled ones are 0), then the new token.
      const mask = (this.stepMask = new BigInt64Array(rows * (capacity + 1)))
      for (let r = 0; r < rows; r++) {
        for (let t = 0; t < this.filled; t++) if (this.real[r * capacity + t]) mask[r * (capacity + 1) + t] = 1n
        mask[r * (capacity + 1) + capacity] = 1n
      }
      this.pastFeeds = {}
      for (const cache of this.caches) cache.feeds(rows, capacity, this.pastFeeds)
    }
    const slot = this.filled
    const positions = BigInt64Array.from(this.positions, (p) => BigInt(p))
    const session = this.narrow && rows <= this.narrow.rows ? this.narrow.session : this.session
    const logits = await this.run(session, this.pastFeeds, BigInt64Array.from(tokens, (t) => BigInt(t)), this.stepMask, positions, 1)
    // The token just fed now sits in `slot`: a real token from the next step on.
    for (let r = 0; r < rows; r++) {
      this.real[r * capacity + slot] = 1
      this.stepMask[r * (capacity + 1) + slot] = 1n
    }
    return logits
  }

  private async run(session: InferenceSession, past: Record<string, Tensor>, ids: BigInt64Array, mask: BigInt64Array, positions: BigInt64Array, sequence: number): Promise<Float32Array> {
    const rows = this.rows
    const out = await session.run({ ...this.feeds, ...past, ...tokenFeeds(this.io, rows, ids, mask, positions, sequence) })
    for (const cache of this.caches) cache.write(out[`${cache.layout.prefix}new_key_values`].data as Float32Array, rows, this.capacity, this.filled, sequence)
    this.filled += sequence
    // After the prefill, positions already point past each prompt; a step moves each row on by one.
    if (sequence === 1) for (let r = 0; r < rows; r++) this.positions[r]++
    return lastLogits(out.logits, rows, this.io.vocabSize)
  }

  /** Double the capacity (within the context), moving the filled slots. */
  private grow(): void {
    const limit = this.io.context ?? Infinity
    const capacity = Math.min(limit, Math.max(this.capacity * 2, this.capacity + 16))
    const { rows } = this
    for (const cache of this.caches) cache.grow(rows, this.capacity, capacity, this.filled)
    const real = new Uint8Array(rows * capacity)
    for (let r = 0; r < rows; r++) real.set(this.real.subarray(r * this.capacity, r * this.capacity + this.filled), r * capacity)
    this.real = real
    this.capacity = capacity
    this.stepMask = null
  }
}
