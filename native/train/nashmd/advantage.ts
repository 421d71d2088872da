/**
 * The Nash-MD-PG estimator, as per-token weights of log π_θ(y_n | x, y_<n).
 *
 * For a completion y of the policy, judged against the opponent's y′ with p = P(y ≻ y′ | x), the
 * surrogate loss to minimise is
 *
 *   L = −(1/B) Σ_b Σ_n log π_θ(y_bn | ·) · sg[A_bn]
 *   A_n = (p − ½) − τ · Σ_{m ≥ n} (log π_θ(y_m | ·) − log μ(y_m | ·))      ("reward to go", default)
 *   A_n = (p − ½) − τ · (log π_θ(y_n | ·) − log μ(y_n | ·))                ("per-token", biased)
 *
 * where n runs over completion tokens up to and including the first EOS (later tokens are masked),
 * and B is the number of sequences in the effective batch (micro-batches × accumulation steps).
 * With the reward-to-go form, E[∇L] = −∇[P(π_θ ≻ π′) − τ·KL(π_θ‖μ)] exactly, with π′ held fixed:
 * the score-function gradient of E_y[R(y)] with R(y) = p(y) − τ·log π_θ(y)/μ(y), where the terms
 * m < n drop out because E[∇ log π(y_n) | y_<n] = 0, and the ∇ of log π_θ inside R has expectation
 * zero for the same reason. The per-token form keeps only m = n: it is the estimator TRL used and
 * is biased; Nashlab offers it as an option labelled so.
 * The −½ baseline does not change the expected gradient; it lowers its variance. Another baseline
 * may be given (rlhf's REINFORCE on a reward r uses A_n = (r − b) − τ·Σ_{m≥n} …, with b the
 * leave-one-out mean reward): any baseline that does not depend on the row's own completion keeps
 * the estimator unbiased.
 */

export type KlEstimator = 'reward-to-go' | 'per-token'

export interface AdvantageInput {
  /** P(y ≻ y′ | x) for each sequence, after any missing-EOS penalty. (B) */
  scores: ArrayLike<number>
  /** log π_θ of each completion token at sampling time. (B, T) row-major */
  policyLogProbs: ArrayLike<number>
  /** log μ of each completion token. (B, T) */
  referenceLogProbs: ArrayLike<number>
  /** 1 for completion tokens up to and including the first EOS, 0 after. (B, T) */
  mask: ArrayLike<number>
  batch: number
  length: number
  tau: number
  kl?: KlEstimator
  /** Subtracted from each score: one number for every row, or one per row (B). Default ½. */
  baseline?: number | ArrayLike<number>
}

export interface Advantages {
  /** sg[A_bn] · mask_bn. (B, T) */
  weights: Float32Array
  /** Σ_n (log π − log μ) per sequence: the sampled sequence-level KL estimate. (B) */
  klPerSequence: Float64Array
}

export function nashAdvantages(input: AdvantageInput): Advantages {
  const { batch: B, length: T, tau } = input
  const weights = new Float32Array(B * T)
  const klPerSequence = new Float64Array(B)
  const perToken = input.kl === 'per-token'
  const baseline = input.baseline ?? 0.5
  for (let b = 0; b < B; b++) {
    const base = input.scores[b] - (typeof baseline === 'number' ? baseline : baseline[b])
    let togo = 0
    // Walk backwards so the reward-to-go sum is one pass.
    for (let n = T - 1; n >= 0; n--) {
      const i = b * T + n
      if (!input.mask[i]) continue
      const ratio = input.policyLogProbs[i] - input.referenceLogProbs[i]
      togo += ratio
      weights[i] = base - tau * (perToken ? ratio : togo)
    }
    klPerSequence[b] = togo
  }
  return { weights, klPerSequence }
}

/**
 * The completion mask: 1 up to and including the first EOS, 0 after it. (B, T) from tokens (B, T).
 */
export function completionMask(tokens: ArrayLike<number>, batch: number, length: number, eos: number): { mask: Uint8Array; lengths: Int32Array; hasEos: Uint8Array } {
  const mask = new Uint8Array(batch * length)
  const lengths = new Int32Array(batch)
  const hasEos = new Uint8Array(batch)
  for (let b = 0; b < batch; b++) {
    let n = 0
    for (; n < length; n++) {
      mask[b * length + n] = 1
      if (tokens[b * length + n] === eos) {
        hasEos[b] = 1
        n++
        break
      }
    }
    lengths[b] = n
  }
  return { mask, lengths, hasEos }
}

/** Lower the score of completions that never produced EOS (the policy's y only, not y′). */
export function applyMissingEosPenalty(scores: ArrayLike<number>, hasEos: ArrayLike<number>, penalty: number): Float64Array {
  const out = Float64Array.from(scores)
  if (penalty > 0) for (let b = 0; b < out.length; b++) if (!hasEos[b]) out[b] -= penalty
  return out
}
