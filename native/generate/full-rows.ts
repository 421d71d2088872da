import { NashlabError } from '../api/errors'
import { ort, type InferenceSession, type Tensor } from '../runtime/ort'
import { lastLogits, type DecoderIo, type DecoderRows } from './decoder-session'

/**
 * Rows continued without a KV cache: every step runs the full forward program (no past inputs,
 * last-position logits) over each whole row. The reference the cached forms are measured and
 * checked against; O(T²) work for T tokens where a cache does O(T).
 */
export class FullRows implements DecoderRows {
  private rowsIds: number[][] = []

  constructor(
    private readonly session: InferenceSession,
    readonly io: DecoderIo,
    private readonly feeds: Record<string, Tensor> = {},
  ) {}

  async start(prompts: readonly (readonly number[])[]): Promise<Float32Array> {
    if (prompts.some((p) => p.length === 0)) throw new NashlabError('invalid_input', 'Every prompt needs at least one token.')
    this.rowsIds = prompts.map((p) => [...p])
    return this.run()
  }

  async step(tokens: readonly number[]): Promise<Float32Array> {
    tokens.forEach((t, r) => this.rowsIds[r].push(t))
    return this.run()
  }

  private async run(): Promise<Float32Array> {
    const rows = this.rowsIds.length
    const width = Math.max(...this.rowsIds.map((r) => r.length))
    if (this.io.context !== null && width > this.io.context) throw new NashlabError('invalid_input', `A row would reach ${width} tokens; the model's context is ${this.io.context}.`)
    const ids = new BigInt64Array(rows * width)
    const mask = new BigInt64Array(rows * width)
    const positions = new BigInt64Array(rows * width)
    this.rowsIds.forEach((row, r) => {
      const pad = width - row.length
      row.forEach((token, t) => {
        ids[r * width + pad + t] = BigInt(token)
        mask[r * width + pad + t] = 1n
        positions[r * width + pad + t] = BigInt(t)
      })
    })
    const shape = [rows, width]
    const out = await this.session.run({ ...this.feeds, input_ids: new ort.Tensor('int64', ids, shape), attention_mask: new ort.Tensor('int64', mask, shape), position_ids: new ort.Tensor('int64', positions, shape) })
    return lastLogits(out.logits, rows, this.io.vocabSize)
  }
}
