import type { LoopPart } from './loop'
import { NativeRunner, type DecoderRunner } from './runner'

/** One model of a mixture and its weight w_i. */
export interface WeightedRunner {
  runner: DecoderRunner
  weight: number
}

/**
 * The sampling loop's parts for next-token logits Σ_i w_i·z_i. When there are two or more models and
 * every one is Nashlab's own decoder with the same vocabulary, one part: the models' mixture step
 * program (mixture-step.ts), one session run per token for all of them, with the mixture computed
 * inside the graph. Otherwise one part per model, each with its own session and KV cache, mixed by
 * the loop (an imported model, or a single model).
 */
export async function mixtureParts(members: readonly WeightedRunner[]): Promise<LoopPart[]> {
  const natives = members.map((m) => (m.runner instanceof NativeRunner ? m.runner : null))
  const vocab = natives[0]?.config.vocab
  if (members.length >= 2 && natives.every((r) => r !== null && r.config.vocab === vocab)) {
    const [lead, ...others] = natives as NativeRunner[]
    const step = await lead.mixtureWith(others)
    return [{ rows: step.rows(members.map((m) => m.weight)), weight: 1 }]
  }
  return members.map((m) => ({ rows: m.runner.rows(), weight: m.weight }))
}
