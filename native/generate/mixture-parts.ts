import type { DecoderRows } from './decoder-session'
import type { LoopPart } from './loop'
import { ParallelMixture } from './parallel-mixture'
import { NativeRunner, type DecoderRunner } from './runner'

/** One model of a mixture and its weight w_i. */
export interface WeightedRunner {
  runner: DecoderRunner
  weight: number
}

/**
 * Rows of the mixture Σ_i weights[i]·z_i of two or more of Nashlab's own decoders (one vocabulary).
 * Where the members can run at the same time (the CPU, two or more cores: parallel-mixture.ts),
 * each on its own thread, mixed as the mixture step program mixes; wider batches and otherwise, the
 * mixture step program itself (mixture-step.ts), one session run per token for all of them.
 * Either way the same tokens are sampled.
 */
export async function mixtureRows(runners: readonly NativeRunner[], weights: readonly number[]): Promise<DecoderRows> {
  const [lead, ...others] = runners
  if (ParallelMixture.applies(runners)) return (await lead.parallelWith(others)).rows(weights)
  return (await lead.mixtureWith(others)).rows(weights)
}

/**
 * The sampling loop's parts for next-token logits Σ_i w_i·z_i. When there are two or more models and
 * every one is Nashlab's own decoder with the same vocabulary, one part: `mixtureRows`, the mixture
 * computed in float32 as the mixture step program computes it. Otherwise one part per model, each with its own session and KV cache, mixed by
 * the loop (an imported model, or a single model).
 */
export async function mixtureParts(members: readonly WeightedRunner[]): Promise<LoopPart[]> {
  const natives = members.map((m) => (m.runner instanceof NativeRunner ? m.runner : null))
  const vocab = natives[0]?.config.vocab
  if (members.length >= 2 && natives.every((r) => r !== null && r.config.vocab === vocab)) {
    return [{ rows: await mixtureRows(natives as NativeRunner[], members.map((m) => m.weight)), weight: 1 }]
  }
  return members.map((m) => ({ rows: m.runner.rows(), weight: m.weight }))
}
