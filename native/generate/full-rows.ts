import { NashlabError } from '../api/errors'
import { ort, type InferenceSession, type Tensor } from '../runtime/ort'
import { checkContext, lastLogits, leftPad, type DecoderIo, type DecoderRows } from './decoder-session'

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
    const { width, ids, mask, positions } = leftPad(this.rowsIds)
    checkContext(this.io, width)
    const shape = [rows, width]
    const out = await this.session.run({ ...this.feeds, input_ids: new ort.Tensor('int64', ids, shape), attention_mask: new ort.Tensor('int64', mask, shape), position_ids: new ort.Tensor('int64', positions, shape) })
    return lastLogits(out.logits, rows, this.io.vocabSize)
  }
}
