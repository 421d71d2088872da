import { NashlabError } from '../api/errors'
import { logOf, type Matrix } from './vector'

/** How far P(i ≻ j) + P(j ≻ i) may stray from 1 before a matrix is refused. */
export const antisymmetryTolerance = 1e-9

/** How far the reference policy μ may stray from summing to 1 (it is then renormalised exactly). */
export const referenceSumTolerance = 1e-6

/**
 * A finite preference game: actions 0..n−1, `P[i][j] = P(i ≻ j)` with P + Pᵀ = 1, a reference
 * policy μ with full support, and the KL temperature τ ≥ 0 of
 * P_τ(π ≻ π′) = P(π ≻ π′) − τ KL(π‖μ) + τ KL(π′‖μ).
 */
export interface PreferenceGame {
  n: number
  P: Matrix
  mu: Float64Array
  logMu: Float64Array
  tau: number
}

/**
 * Check a preference matrix: square, entries in [0, 1], P + Pᵀ = 1 within 1e-9 (so the diagonal is
 * ½). The first bad cell, in row-major order, is named in the error.
 */
export function checkPreferenceMatrix(P: Matrix): void {
  const n = P.length
  if (n < 2) throw new NashlabError('invalid_input', `The preference matrix P has ${n} rows; a game needs at least 2 actions.`, { field: 'P' })
  for (let i = 0; i < n; i++) {
    if (P[i].length !== n) {
      throw new NashlabError('invalid_input', `Row ${i} of P has ${P[i].length} entries, but P has ${n} rows; P must be square (n × n).`, {
        field: 'P',
        row: i,
      })
    }
    for (let j = 0; j < n; j++) {
      const v = P[i][j]
      if (!Number.isFinite(v) || v < 0 || v > 1) {
        throw new NashlabError('invalid_input', `P[${i}][${j}] = ${v} is not a probability; every cell must lie in [0, 1].`, {
          field: 'P',
          cell: [i, j],
          value: v,
        })
      }
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const sum = P[i][j] + P[j][i]
      if (Math.abs(sum - 1) <= antisymmetryTolerance) continue
      const message =
        i === j
          ? `P[${i}][${i}] = ${P[i][i]}, but a diagonal cell must be 0.5 (an action ties with itself: P + Pᵀ = 1).`
          : `P[${i}][${j}] + P[${j}][${i}] = ${P[i][j]} + ${P[j][i]} = ${sum}, but P(i ≻ j) + P(j ≻ i) must equal 1 (within ${antisymmetryTolerance}).`
      throw new NashlabError('invalid_input', message, { field: 'P', cell: [i, j], value: P[i][j], sum })
    }
  }
}

/** μ as given, or uniform; positive entries summing to 1 (renormalised exactly). */
export function referencePolicy(n: number, mu?: readonly number[] | null): Float64Array {
  if (mu === undefined || mu === null) return new Float64Array(n).fill(1 / n)
  if (mu.length !== n) {
    throw new NashlabError('invalid_input', `The reference policy mu has ${mu.length} entries, but P has ${n} actions.`, { field: 'mu' })
  }
  let sum = 0
  for (let i = 0; i < n; i++) {
    const v = mu[i]
    if (!Number.isFinite(v) || v <= 0) {
      throw new NashlabError(
        'invalid_input',
        `mu[${i}] = ${v}, but every reference probability must be positive (the KL regulariser needs μ to cover every action).`,
        { field: 'mu', index: i, value: v },
      )
    }
    sum += v
  }
  if (Math.abs(sum - 1) > referenceSumTolerance) {
    throw new NashlabError('invalid_input', `The reference policy mu sums to ${sum}; it must sum to 1.`, { field: 'mu', sum })
  }
  return Float64Array.from(mu, (v) => v / sum)
}

/** Validate and assemble a game. */
export function preferenceGame(P: Matrix, mu: readonly number[] | null | undefined, tau: number): PreferenceGame {
  checkPreferenceMatrix(P)
  if (!Number.isFinite(tau) || tau < 0) throw new NashlabError('invalid_input', `tau = ${tau}, but the temperature must be a number ≥ 0.`, { field: 'tau' })
  const reference = referencePolicy(P.length, mu)
  return { n: P.length, P, mu: reference, logMu: logOf(reference), tau }
}

/** The given action names (one per row of P), or A, B, C, … (y1, y2, … beyond 26). */
export function actionNames(n: number, given?: readonly string[]): string[] {
  if (given === undefined) return Array.from({ length: n }, (_, i) => (n <= 26 ? String.fromCharCode(65 + i) : `y${i + 1}`))
  if (given.length !== n) {
    throw new NashlabError('invalid_input', `There are ${given.length} action names, but P has ${n} actions.`, { field: 'actions' })
  }
  return [...given]
}
