import { NashlabError } from '../api/errors'

/** One model's next-token logits and its weight in a geometric mixture. */
export interface MixturePart {
  /** (B, V) logits or log-probabilities (a per-row constant shift changes nothing). */
  logits: Float32Array
  weight: number
}

/**
 * The geometric mixture of several models' next-token distributions, as logits:
 *   z = Σ_i w_i · z_i,   so   softmax(z) ∝ Π_i p_i^{w_i}.
 * Each model's own log-normaliser only shifts its row by a constant, so raw logits and
 * log-probabilities give the same mixture. A part of weight 0 is skipped outright (so a model's −∞
 * logits cannot turn 0·(−∞) into NaN). Weights are usually non-negative and sum to 1.
 */
export function mixLogits(parts: readonly MixturePart[], out?: Float32Array): Float32Array {
  if (parts.length === 0) throw new NashlabError('invalid_input', 'A geometric mixture needs at least one model.')
  const length = parts[0].logits.length
  parts.forEach((part, i) => {
    if (part.logits.length !== length) throw new NashlabError('invalid_input', `Model ${i} of the mixture gives ${part.logits.length} logits where model 0 gives ${length}.`)
    if (!Number.isFinite(part.weight)) throw new NashlabError('invalid_input', `Model ${i} of the mixture has weight ${part.weight}, not a finite number.`)
  })
  const z = out ?? new Float32Array(length)
  if (z.length !== length) throw new NashlabError('invalid_input', `The output buffer holds ${z.length} logits, not ${length}.`)
  z.fill(0)
  for (const { logits, weight } of parts) {
    if (weight === 0) continue
    for (let i = 0; i < length; i++) z[i] += weight * logits[i]
  }
  return z
}

/**
 * The Nash-MD-PG opponent's next-token logits: (1 − β)·z_π + β·z_μ, the token-level geometric
 * mixture of the policy π and the reference μ. β = 0 is the policy itself (self-play), β = 1 the
 * reference.
 */
export function opponentLogits(policy: Float32Array, reference: Float32Array, beta: number, out?: Float32Array): Float32Array {
  if (!(beta >= 0 && beta <= 1)) throw new NashlabError('invalid_input', `The mixture coefficient β must be from 0 to 1, got ${beta}.`, { field: 'beta' })
  return mixLogits(
    [
      { logits: policy, weight: 1 - beta },
      { logits: reference, weight: beta },
    ],
    out,
  )
}
