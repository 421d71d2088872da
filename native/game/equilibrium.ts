import { NashlabError } from '../api/errors'
import type { PreferenceGame } from './game'
import { solveLinear } from './linear'
import { accurateDot, expInto, logSumExp, maxAbsDifference, normaliseLog, softmax, type Matrix } from './vector'

/** The regularised equilibrium π*_τ and how exactly it satisfies its fixed-point equation. */
export interface Equilibrium {
  policy: Float64Array
  /** log π*_τ, exact even where π*_τ underflows. */
  logPolicy: Float64Array
  /** max_y |π(y) − softmax(log μ + P(· ≻ π)/τ)(y)|. */
  residual: number
  /** Newton steps taken, over all continuation stages. */
  iterations: number
}

/**
 * The fixed-point residual of π for π = softmax(log μ + P(· ≻ π)/τ): the largest entry-wise gap.
 * Zero exactly at the regularised equilibrium π*_τ (τ > 0).
 */
export function fixedPointResidual(game: PreferenceGame, policy: ArrayLike<number>): number {
  const A = centred(game.P)
  const z = new Float64Array(game.n)
  for (let i = 0; i < game.n; i++) z[i] = game.logMu[i] + accurateDot(A[i], policy) / game.tau
  return maxAbsDifference(policy, softmax(z))
}

/**
 * A = P − ½. On the simplex P(y ≻ π) = ½ + (A π)_y, and softmax ignores the constant, so the
 * equation reads π = softmax(log μ + A π / τ). Near π*_τ, (A π)_y is O(τ) for the likely actions, so
 * evaluating A π with `accurateDot` keeps the logits accurate to rounding instead of to ε/τ.
 */
function centred(P: Matrix): Float64Array[] {
  return P.map((row) => Float64Array.from(row, (v) => v - 0.5))
}

/** Temperatures at or above this are solved directly; colder ones by continuation from it. */
const warmTemperature = 0.05

/**
 * π*_τ, the unique Nash equilibrium of P_τ for τ > 0, by damped Newton on the logits z (π = softmax z):
 *   h(z) = z − log μ − A softmax(z) / τ = 0,  Jacobian J = I − A (diag π − π πᵀ) / τ,  A = P − ½.
 * J is never singular: J v = 0 means v = A x / τ with x = S v, S = diag π − π πᵀ positive
 * semi-definite; then vᵀ S v = xᵀ A x / τ = 0 (A is antisymmetric), so x = 0 and v = 0. And ‖h‖
 * grows without bound as ‖z‖ does (A softmax z is bounded), so Newton with an
 * Armijo backtracking on ½‖h‖² converges from any start, quadratically near the solution.
 * Cold games (τ < 0.05) are reached by continuation: solve at 0.05, then divide τ by up to 3 at a
 * time, starting each stage from log μ + A π_previous/τ (a smaller step in τ when Newton needs more
 * than 40 steps from there).
 * Accuracy: rounding π*_τ to doubles alone moves the right-hand side by about 1e-17/τ, so that is
 * the floor of the residual; it stays ≤ 1e-12 for τ down to about 1e-5.
 */
export function regularisedEquilibrium(game: PreferenceGame): Equilibrium {
  const { n, tau, logMu } = game
  const A = centred(game.P)
  if (!(tau > 0)) throw new NashlabError('invalid_input', 'The regularised equilibrium needs tau > 0; for tau = 0 use the maximal lottery.', { field: 'tau' })
  const first = newton(game, A, Math.max(tau, warmTemperature), Float64Array.from(logMu), 200)
  let z = first.z
  let iterations = first.iterations
  let reached = Math.max(tau, warmTemperature)
  let ratio = 3
  while (reached > tau) {
    const stage = Math.max(tau, reached / ratio)
    // Predictor: one fixed-point map of the previous stage's policy at the new temperature.
    const pi = softmax(z)
    const start = Float64Array.from(logMu, (m, i) => m + accurateDot(A[i], pi) / stage)
    const solved = newton(game, A, stage, start, stage === tau ? 200 : 40)
    iterations += solved.iterations
    if (solved.converged || stage === tau || ratio < 1.01) {
      z = solved.z
      reached = stage
      ratio = Math.min(3, ratio * 1.5)
    } else {
      // Too far for Newton from the predictor: take a smaller step in τ.
      ratio = Math.sqrt(ratio)
    }
  }
  const logPolicy = normaliseLog(Float64Array.from(z))
  const policy = expInto(logPolicy)
  // With logits of size 1/τ, log-softmax rounds at ~1e-16/τ; one more normalisation makes Σπ = 1 to rounding.
  const total = policy.reduce((a, b) => a + b, 0)
  for (let i = 0; i < n; i++) {
    policy[i] /= total
    logPolicy[i] -= Math.log(total)
  }
  return { policy, logPolicy, residual: fixedPointResidual(game, policy), iterations }
}

/**
 * Damped Newton on h(z) = z − log μ − A softmax(z)/τ from `start` (A = P − ½), at most `limit`
 * steps; returns the last iterate and whether h reached rounding level.
 */
function newton(
  game: PreferenceGame,
  A: Float64Array[],
  tau: number,
  start: Float64Array,
  limit: number,
): { z: Float64Array; iterations: number; converged: boolean } {
  const { n, logMu } = game
  const pi = new Float64Array(n)
  const g = new Float64Array(n)
  const h = new Float64Array(n)

  /** h(z) into `h`, π(z) into `pi`, P π into `g`; returns ½‖h‖². */
  const evaluate = (at: Float64Array): number => {
    const lse = logSumExp(at)
    for (let i = 0; i < n; i++) pi[i] = Math.exp(at[i] - lse)
    for (let i = 0; i < n; i++) g[i] = accurateDot(A[i], pi)
    let f = 0
    for (let i = 0; i < n; i++) {
      h[i] = at[i] - logMu[i] - g[i] / tau
      f += h[i] * h[i]
    }
    return f / 2
  }

  const z = Float64Array.from(start)
  const trial = new Float64Array(n)
  let f = evaluate(z)
  let iterations = 0
  // Once the Armijo test can no longer be met (rounding), a few full steps still polish the last digits.
  let polish = 3
  /** Every h_i at the rounding level of the terms it is made of. */
  const converged = () => {
    for (let i = 0; i < n; i++) {
      const scale = 1 + Math.abs(z[i]) + Math.abs(logMu[i]) + Math.abs(g[i]) / tau
      if (Math.abs(h[i]) > 4 * Number.EPSILON * scale) return false
    }
    return true
  }
  for (; iterations < limit && !converged(); iterations++) {
    const jacobian = Array.from({ length: n }, (_, i) => {
      const row = new Float64Array(n)
      // (A S)_ij with S = diag π − π πᵀ: A[i][j] π_j − (A π)_i π_j
      for (let j = 0; j < n; j++) row[j] = (i === j ? 1 : 0) - ((A[i][j] - g[i]) * pi[j]) / tau
      return row
    })
    const step = solveLinear(jacobian, h.map((v) => -v))
    if (!step) break
    let alpha = 1
    let next = f
    for (let k = 0; k < 40; k++) {
      for (let i = 0; i < n; i++) trial[i] = z[i] + alpha * step[i]
      next = evaluate(trial)
      if (next <= f * (1 - 1e-4 * alpha)) break
      alpha /= 2
    }
    if (next <= f * (1 - 1e-4 * alpha)) {
      z.set(trial)
      f = next
      continue
    }
    // No sufficient decrease: at rounding level. Take full steps while they do not make things worse.
    if (polish-- === 0) break
    for (let i = 0; i < n; i++) trial[i] = z[i] + step[i]
    next = evaluate(trial)
    if (next <= f) {
      z.set(trial)
      f = next
    } else {
      evaluate(z)
      break
    }
  }
  return { z, iterations, converged: converged() || polish < 3 }
}
