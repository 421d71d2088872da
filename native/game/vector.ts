/**
 * Small dense helpers for policies over a finite action set. Policies are kept in the log domain
 * (normalised log-probabilities) wherever they are iterated, so that no probability underflows to
 * an exact zero and KL(π*, π_t) stays finite.
 */

/** A square preference matrix, row-major: `P[i][j] = P(i ≻ j)`. */
export type Matrix = readonly (readonly number[])[]

/** log Σ_i exp(v_i), computed without overflow. */
export function logSumExp(v: ArrayLike<number>): number {
  let max = -Infinity
  for (let i = 0; i < v.length; i++) if (v[i] > max) max = v[i]
  if (max === -Infinity) return -Infinity
  let sum = 0
  for (let i = 0; i < v.length; i++) sum += Math.exp(v[i] - max)
  return max + Math.log(sum)
}

/** In place: shift `v` so that Σ exp(v) = 1 (log-softmax). Returns `v`. */
export function normaliseLog(v: Float64Array): Float64Array {
  const z = logSumExp(v)
  for (let i = 0; i < v.length; i++) v[i] -= z
  return v
}

/** exp of a log-policy into `out` (allocated when not given). */
export function expInto(log: ArrayLike<number>, out = new Float64Array(log.length)): Float64Array {
  for (let i = 0; i < log.length; i++) out[i] = Math.exp(log[i])
  return out
}

/** Element-wise natural log (log 0 = −∞). */
export function logOf(p: ArrayLike<number>): Float64Array {
  const out = new Float64Array(p.length)
  for (let i = 0; i < p.length; i++) out[i] = Math.log(p[i])
  return out
}

/** softmax(v) as probabilities. */
export function softmax(v: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(v as ArrayLike<number>)
  return expInto(normaliseLog(out), out)
}

/**
 * The preference of each action against a policy: `out[y] = P(y ≻ π) = Σ_y′ π(y′) P(y ≻ y′)`.
 */
export function preferenceAgainst(P: Matrix, pi: ArrayLike<number>, out = new Float64Array(P.length)): Float64Array {
  const n = P.length
  for (let i = 0; i < n; i++) {
    const row = P[i]
    let s = 0
    for (let j = 0; j < n; j++) s += row[j] * pi[j]
    out[i] = s
  }
  return out
}

/**
 * KL(p ‖ q) = Σ p (log p − log q) in nats, from log-probabilities of two distributions. Written as
 * Σ_{p>0} p·(d + expm1(−d)) + Σ_{p=0} q with d = log p − log q (the same sum, since Σp = Σq = 1), so
 * every term is ≥ 0 and small divergences keep their digits: the naive sum would stop near 1e-16,
 * this one follows a converging iterate down to 1e-30 and below.
 */
export function klFromLogs(logP: ArrayLike<number>, logQ: ArrayLike<number>): number {
  let s = 0
  for (let i = 0; i < logP.length; i++) {
    if (logP[i] === -Infinity) {
      s += Math.exp(logQ[i])
      continue
    }
    const d = logP[i] - logQ[i]
    s += Math.exp(logP[i]) * (d + Math.expm1(-d))
  }
  return s
}

/** Largest absolute entry-wise difference. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}

/** A plain array copy (for JSON). */
export function toArray(v: ArrayLike<number>): number[] {
  return Array.from(v)
}

/** Dekker's splitting constant 2^27 + 1: splits a double into two halves whose products are exact. */
const splitter = 134217729

/**
 * Σ a_i b_i as if computed in twice the working precision, then rounded (Ogita, Rump and Oishi's
 * Dot2: error-free products by Dekker splitting and error-free sums, accumulated). The result is
 * accurate to about one rounding of the result itself, even under heavy cancellation.
 */
export function accurateDot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0
  let error = 0
  for (let i = 0; i < a.length; i++) {
    const x = a[i]
    const y = b[i]
    const p = x * y
    let c = splitter * x
    const xh = c - (c - x)
    const xl = x - xh
    c = splitter * y
    const yh = c - (c - y)
    const yl = y - yh
    const productError = xh * yh - p + xh * yl + xl * yh + xl * yl
    const t = sum + p
    const z = t - sum
    const sumError = sum - (t - z) + (p - z)
    sum = t
    error += productError + sumError
  }
  return sum + error
}
