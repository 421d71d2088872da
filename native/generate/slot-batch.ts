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

/** Options of a new batch (NativeRunner.rows, MixtureStep.rows). */
export interface RowsOptions {
  /** Run every step on the one-thread session, however many rows (where there is one). */
  oneThread?: boolean
}

/** A one-thread step session that takes steps of any width (none stays none). */
export function anyWidth(narrow: NarrowStep | undefined): NarrowStep | undefined {
  return narrow && { session: narrow.session, rows: Infinity }
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

/**
 * One model's cache buffers, one key and one value buffer per layer, each room for `room` slots:
 * the first rows · kvHeads · capacity · headSize floats hold (rows, kvHeads, capacity, headSize),
 * what a step is fed (ONNX Runtime reads a subarray as it is).
 */
class SlotCache {
  keys: Float32Array[] = []
  values: Float32Array[] = []

  constructor(readonly layout: CacheLayout) {}

  allocate(rows: number, room: number): void {
    const size = rows * this.layout.kvHeads * room * this.layout.headSize
    this.keys = Array.from({ length: this.layout.layers }, () => new Float32Array(size))
    this.values = Array.from({ length: this.layout.layers }, () => new Float32Array(size))
  }

  /** The buffers' first `capacity` slots as session inputs. */
  feeds(rows: number, capacity: number, into: Record<string, Tensor>): void {
    const { prefix, kvHeads, headSize } = this.layout
    const dims = [rows, kvHeads, capacity, headSize]
    const size = rows * kvHeads * capacity * headSize
    for (let l = 0; l < this.layout.layers; l++) {
      into[`${prefix}past_key_values.${l}.key`] = new ort.Tensor('float32', this.keys[l].subarray(0, size), dims)
      into[`${prefix}past_key_values.${l}.value`] = new ort.Tensor('float32', this.values[l].subarray(0, size), dims)
    }
  }

  /** Write a run's new keys and values, (rows, layers · 2 · kvHeads, sequence, headSize), into slots [filled, filled + sequence). */
  write(fresh: Float32Array, rows: number, capacity: number, filled: number, sequence: number): void {
    const { kvHeads, headSize, layers } = this.layout
    const block = sequence * headSize
    // A plain loop: a step's blocks are one head's one position (32 floats at d 128), where a
    // subarray and a set() each cost more than the copy.
    for (let l = 0; l < layers; l++) {
      for (let kv = 0; kv < 2; kv++) {
        const buffer = kv === 0 ? this.keys[l] : this.values[l]
        for (let r = 0; r < rows; r++) {
          for (let h = 0; h < kvHeads; h++) {
            const from = (((r * layers + l) * 2 + kv) * kvHeads + h) * block
            const to = ((r * kvHeads + h) * capacity + filled) * headSize
            for (let i = 0; i < block; i++) buffer[to + i] = fresh[from + i]
          }
        }
      }
    }
  }

  /**
   * Lay the filled slots out for a larger capacity in the same buffers: each (row, head)'s slots move
   * to its new place, the last first (a place only moves up, so nothing is overwritten before it
   * moves). The slots beyond `filled` keep old numbers; they are masked, and their probability is 0.
   */
  widen(rows: number, capacity: number, next: number, filled: number): void {
    const { kvHeads, headSize } = this.layout
    for (const buffer of [...this.keys, ...this.values]) {
      for (let rh = rows * kvHeads - 1; rh > 0; rh--) buffer.copyWithin(rh * next * headSize, rh * capacity * headSize, (rh * capacity + filled) * headSize)
    }
  }

  /** Move the filled slots into new buffers of a larger room (laid out for capacity `next`). */
  grow(rows: number, capacity: number, next: number, room: number, filled: number): void {
    const { kvHeads, headSize } = this.layout
    const move = (old: Float32Array) => {
      const moved = new Float32Array(rows * kvHeads * room * headSize)
      for (let rh = 0; rh < rows * kvHeads; rh++) moved.set(old.subarray(rh * capacity * headSize, (rh * capacity + filled) * headSize), rh * next * headSize)
      return moved
    }
    this.keys = this.keys.map(move)
    this.values = this.values.map(move)
  }
}

/**
 * Slots a step's cache grows by when full. Each step attends over every slot it is fed, filled or
 * not, so the fed slots (the capacity) run at most this far ahead of the filled ones; widening
 * moves the filled slots within the buffers, once per this many steps.
 */
export const SLOT_CHUNK = 16

/**
 * A batch continued with a KV cache kept here, in buffers of (rows, kvHeads, capacity, headSize)
 * per layer, for Nashlab's own decoders built with `cache: 'slots'`. Each step feeds the buffers as
 * they are (ONNX Runtime does not copy inputs), masks the unfilled slots, and writes the step's new
 * keys and values (output `new_key_values`, all layers at once) into the next slot. The standard form
 * (present = past ⧺ new) copies the whole cache into and out of the session at every step; this one
 * copies one position.
 *
 * The buffers are allocated once with room for every slot the batch is expected to need (the
 * prompt and the tokens still to come, within the context); a step is fed only the first
 * `capacity` slots, at most SLOT_CHUNK beyond the filled ones, since its attention reads every slot
 * it is fed.
 *
 * A program may hold several models' caches (`caches`, one per model of a mixture step program);
 * all follow the same tokens, so they share the slots, the mask and the positions.
 *
 * Rows are left-padded to one width at the prefill, so all rows fill the same slot each step.
 */
export class SlotBatch implements DecoderRows {
  private readonly caches: SlotCache[]
  /** Slots fed to a step. */
  private capacity = 0
  /** Slots the buffers hold. */
  private room = 0
  private filled = 0
  /** (rows, room): 1 where a slot holds a real token, 0 for padding and unfilled slots. */
  private real = new Uint8Array(0)
  /** The attention mask of a step, (rows, capacity + 1), kept from step to step (one slot changes per step). */
  private stepMask: BigInt64Array | null = null
  /** A step's inputs, kept from step to step (rebuilt when the capacity changes): the buffers below are rewritten in place. */
  private stepFeeds: Record<string, Tensor> = {}
  private stepIds = new BigInt64Array(0)
  private stepPositions = new BigInt64Array(0)
  /** Each row's next position (real tokens so far). */
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
    this.room = Math.max(width, Math.min(limit, width + reserve))
    this.capacity = width
    for (const cache of this.caches) cache.allocate(rows, this.room)
    this.real = new Uint8Array(rows * this.room)
    for (let r = 0; r < rows; r++) for (let t = 0; t < width; t++) this.real[r * this.room + t] = padded.mask[r * width + t] ? 1 : 0
    this.stepMask = null
    this.filled = 0
    const past: Record<string, Tensor> = {}
    for (const { layout } of this.caches) Object.assign(past, emptyPast({ ...this.io, ...layout }, rows, layout.prefix))
    const out = await this.session.run({ ...this.feeds, ...past, ...tokenFeeds(this.io, rows, padded.ids, padded.mask, padded.positions, width) })
    return this.take(out, width)
  }

  async step(tokens: readonly number[]): Promise<Float32Array> {
    const rows = this.rows
    if (tokens.length !== rows) throw new NashlabError('internal', `A step needs ${rows} tokens, one per row; got ${tokens.length}.`)
    checkContext(this.io, this.filled + 1)
    if (this.filled === this.capacity) this.widen()
    const mask = this.stepMask ?? this.prepare()
    const { capacity } = this
    for (let r = 0; r < rows; r++) {
      this.stepIds[r] = BigInt(tokens[r])
      this.stepPositions[r] = BigInt(this.positions[r])
    }
    const slot = this.filled
    const session = this.narrow && rows <= this.narrow.rows ? this.narrow.session : this.session
    const logits = this.take(await session.run(this.stepFeeds), 1)
    // The token just fed now sits in `slot`: a real token from the next step on.
    for (let r = 0; r < rows; r++) {
      this.real[r * this.room + slot] = 1
      mask[r * (capacity + 1) + slot] = 1n
      this.positions[r]++
    }
    return logits
  }

  /** A step's mask and inputs for the current capacity. */
  private prepare(): BigInt64Array {
    const { rows, capacity } = this
    // Slots [0, capacity) from the real-token flags (unfilled ones are 0), then the new token.
    const mask = (this.stepMask = new BigInt64Array(rows * (capacity + 1)))
    for (let r = 0; r < rows; r++) {
      for (let t = 0; t < this.filled; t++) if (this.real[r * this.room + t]) mask[r * (capacity + 1) + t] = 1n
      mask[r * (capacity + 1) + capacity] = 1n
    }
    this.stepIds = new BigInt64Array(rows)
    this.stepPositions = new BigInt64Array(rows)
    const feeds: Record<string, Tensor> = { ...this.feeds }
    for (const cache of this.caches) cache.feeds(rows, capacity, feeds)
    this.stepFeeds = Object.assign(feeds, tokenFeeds(this.io, rows, this.stepIds, mask, this.stepPositions, 1))
    return mask
  }

  /** Write a run's new keys and values into the caches; the last position's logits. */
  private take(out: InferenceSession.ReturnType, sequence: number): Float32Array {
    for (const cache of this.caches) cache.write(out[`${cache.layout.prefix}new_key_values`].data as Float32Array, this.rows, this.capacity, this.filled, sequence)
    this.filled += sequence
    return lastLogits(out.logits, this.rows, this.io.vocabSize)
  }

  /** Feed SLOT_CHUNK more slots (within the context), moving the filled ones; a larger room when the buffers are full. */
  private widen(): void {
    const limit = this.io.context ?? Infinity
    const next = Math.min(limit, this.capacity + SLOT_CHUNK)
    const { rows } = this
    if (next > this.room) {
      const room = Math.min(limit, Math.max(this.room * 2, next))
      for (const cache of this.caches) cache.grow(rows, this.capacity, next, room, this.filled)
      const real = new Uint8Array(rows * room)
      for (let r = 0; r < rows; r++) real.set(this.real.subarray(r * this.room, r * this.room + this.filled), r * room)
      this.real = real
      this.room = room
    } else {
      for (const cache of this.caches) cache.widen(rows, this.capacity, next, this.filled)
    }
    this.capacity = next
    this.stepMask = null
  }
}
