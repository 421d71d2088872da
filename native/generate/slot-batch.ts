import { NashlabError } from '../api/errors'
import { ort, type InferenceSession, type Tensor } from '../runtime/ort'
import { lastLogits, type DecoderIo, type DecoderRows } from './decoder-session'

/**
 * A one-thread session of the same step program, for steps too small to share out: `rows` at most
 * this many run on it (see runner.ts's `narrowStepRows`).
 */
export interface NarrowStep {
  session: InferenceSession
  rows: number
}

/**
 * A batch continued with a KV cache kept here, in buffers of (rows, kvHeads, capacity, headSize)
 * per layer, for Nashlab's own decoders built with `cache: 'slots'`. Each step feeds the buffers as
 * they are (ONNX Runtime does not copy inputs), masks the unfilled slots, and writes the step's new
 * keys and values (output `new_key_values`, all layers at once) into the next slot. The standard form
 * (present = past ⧺ new) copies the whole cache into and out of the session at every step; this one
 * copies one position.
 *
 * Rows are left-padded to one width at the prefill, so all rows fill the same slot each step.
 */
export class SlotBatch implements DecoderRows {
  private keys: Float32Array[] = []
  private values: Float32Array[] = []
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
  ) {}

  get length(): number {
    return this.filled
  }

  async start(prompts: readonly (readonly number[])[], reserve = 64): Promise<Float32Array> {
    if (prompts.length === 0) throw new NashlabError('invalid_input', 'There are no prompts to continue.')
    const rows = (this.rows = prompts.length)
    const width = Math.max(1, ...prompts.map((p) => p.length))
    this.checkContext(width)
    const ids = new BigInt64Array(rows * width)
    const mask = new BigInt64Array(rows * width)
    const positions = new BigInt64Array(rows * width)
    const rowMasks: Uint8Array[] = []
    this.positions = []
    prompts.forEach((prompt, r) => {
      if (prompt.length === 0) throw new NashlabError('invalid_input', `Prompt ${r} has no tokens; a decoder needs at least one token to continue.`, { prompt: r })
      const pad = width - prompt.length
      const m = new Uint8Array(width)
      for (let t = 0; t < prompt.length; t++) {
        ids[r * width + pad + t] = BigInt(prompt[t])
        mask[r * width + pad + t] = 1n
        positions[r * width + pad + t] = BigInt(t)
        m[pad + t] = 1
      }
      rowMasks.push(m)
      this.positions.push(prompt.length)
    })
    const limit = this.io.context ?? Infinity
    this.capacity = Math.max(width, Math.min(limit, width + reserve))
    const size = rows * this.io.kvHeads * this.capacity * this.io.headSize
    this.keys = Array.from({ length: this.io.layers }, () => new Float32Array(size))
    this.values = Array.from({ length: this.io.layers }, () => new Float32Array(size))
    this.real = new Uint8Array(rows * this.capacity)
    rowMasks.forEach((m, r) => this.real.set(m, r * this.capacity))
    this.stepMask = null
    this.filled = 0
    const empty = new Float32Array(0)
    const past: Record<string, Tensor> = {}
    for (let l = 0; l < this.io.layers; l++) {
      for (const kv of ['key', 'value']) past[`past_key_values.${l}.${kv}`] = new ort.Tensor('float32', empty, [rows, this.io.kvHeads, 0, this.io.headSize])
    }
    return this.run(this.session, past, ids, mask, positions, width)
  }

  async step(tokens: readonly number[]): Promise<Float32Array> {
    if (tokens.length !== this.rows) throw new NashlabError('internal', `A step needs ${this.rows} tokens, one per row; got ${tokens.length}.`)
    this.checkContext(this.filled + 1)
    if (this.filled === this.capacity) this.grow()
    const { rows, capacity } = this
    if (this.stepMask === null) {
      // Slots [0, capacity) from the real-token flags (unfilled ones are 0), then the new token.
      const mask = (this.stepMask = new BigInt64Array(rows * (capacity + 1)))
      for (let r = 0; r < rows; r++) {
        for (let t = 0; t < this.filled; t++) if (this.real[r * capacity + t]) mask[r * (capacity + 1) + t] = 1n
        mask[r * (capacity + 1) + capacity] = 1n
      }
      const dims = [rows, this.io.kvHeads, capacity, this.io.headSize]
      this.pastFeeds = {}
      for (let l = 0; l < this.io.layers; l++) {
        this.pastFeeds[`past_key_values.${l}.key`] = new ort.Tensor('float32', this.keys[l], dims)
        this.pastFeeds[`past_key_values.${l}.value`] = new ort.Tensor('float32', this.values[l], dims)
      }
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
    const feeds: Record<string, Tensor> = {
      ...this.feeds,
      ...past,
      input_ids: new ort.Tensor('int64', ids, [rows, sequence]),
      attention_mask: new ort.Tensor('int64', mask, [rows, mask.length / rows]),
    }
    if (this.io.positionIds) feeds.position_ids = new ort.Tensor('int64', positions, [rows, sequence])
    const out = await session.run(feeds)
    // Write the new keys and values, (rows, layers · 2 · kvHeads, sequence, headSize), into slots [filled, filled + sequence).
    const { kvHeads, headSize, layers } = this.io
    const fresh = out.new_key_values.data as Float32Array
    const block = sequence * headSize
    for (let r = 0; r < rows; r++) {
      for (let l = 0; l < layers; l++) {
        for (let kv = 0; kv < 2; kv++) {
          const buffer = kv === 0 ? this.keys[l] : this.values[l]
          for (let h = 0; h < kvHeads; h++) {
            const from = (((r * layers + l) * 2 + kv) * kvHeads + h) * block
            buffer.set(fresh.subarray(from, from + block), ((r * kvHeads + h) * this.capacity + this.filled) * headSize)
          }
        }
      }
    }
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
    const { kvHeads, headSize } = this.io
    const move = (old: Float32Array) => {
      const next = new Float32Array(rows * kvHeads * capacity * headSize)
      for (let rh = 0; rh < rows * kvHeads; rh++) next.set(old.subarray(rh * this.capacity * headSize, (rh * this.capacity + this.filled) * headSize), rh * capacity * headSize)
      return next
    }
    this.keys = this.keys.map(move)
    this.values = this.values.map(move)
    const real = new Uint8Array(rows * capacity)
    for (let r = 0; r < rows; r++) real.set(this.real.subarray(r * this.capacity, r * this.capacity + this.filled), r * capacity)
    this.real = real
    this.capacity = capacity
    this.stepMask = null
  }

  private checkContext(length: number): void {
    if (this.io.context !== null && length > this.io.context) {
      throw new NashlabError('invalid_input', `A row would reach ${length} tokens; the model's context is ${this.io.context}.`, { length, context: this.io.context })
    }
  }
}
