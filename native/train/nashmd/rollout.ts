import type { FinishReason } from '../../api/generate'
import type { DecoderRunner } from '../../generate/runner'
import { runLoop } from '../../generate/loop'
import { mixtureParts, type WeightedRunner } from '../../generate/mixture-parts'
import type { SamplingSettings } from '../../generate/sampling'
import type { Rng } from '../../runtime/rng'

/**
 * Completions of a batch of prompts, sampled token by token from one model or from the token-level
 * geometric mixture of several (next-token logits Σ_i w_i·z_i, each model with its own KV cache,
 * every one fed the sampled token: generate/loop.ts).
 */
export interface Rollout {
  /** (rows) sampled ids, up to and including the first EOS. */
  tokens: number[][]
  /** (rows) log q(token) of the sampled tokens under the mixture at temperature 1, untruncated (for one model: its own log-probabilities). */
  logprobs: number[][]
  finish: FinishReason[]
}

export interface RolloutOptions {
  maxTokens: number
  settings: SamplingSettings
  rng: Rng
  stopIds: readonly number[]
  padId: number
  vocabSize: number
  check?(): void
}

/** One model and its weight in the mixture. */
export type MixtureMember = WeightedRunner

/**
 * Sample from Σ_i w_i·z_i. Members of weight 0 are left out (they would cost a session run per
 * token for nothing); a single member of weight 1 is plain sampling from that model; two or more
 * of Nashlab's own decoders run as one mixture (mixture-parts.ts: each model on its own core for small
 * CPU batches, otherwise one mixture step program, one session run per token; the same tokens either way).
 */
export async function rollout(members: readonly MixtureMember[], prompts: readonly (readonly number[])[], options: RolloutOptions): Promise<Rollout> {
  const parts = await mixtureParts(members.filter((m) => m.weight !== 0))
  const result = await runLoop(parts, prompts, {
    settings: options.settings,
    maxTokens: options.maxTokens,
    rng: options.rng,
    stopIds: options.stopIds,
    padId: options.padId,
    vocabSize: options.vocabSize,
    check: options.check,
  })
  return { tokens: result.tokens, logprobs: result.logprobs, finish: result.finish }
}

/**
 * The Nash-MD-PG opponent: logits (1 − β)·z_opponent + β·z_μ, where the opponent is the policy
 * itself (nash-md-pg; β = 0 self-play, β = 1 best response) or the EMA policy (nash-ema-pg).
 */
export function opponentMixture(opponent: DecoderRunner, reference: DecoderRunner, beta: number): MixtureMember[] {
  return [
    { runner: opponent, weight: 1 - beta },
    { runner: reference, weight: beta },
  ]
}
