import { startDynamics, type AlgorithmName } from './algorithms'
import { regularisedEquilibrium } from './equilibrium'
import { exploitability } from './exploitability'
import type { PreferenceGame } from './game'
import { solveMatrixGame } from './matrix-game'
import { sampleIterates } from './sampling'
import { expInto, klFromLogs, logOf, toArray } from './vector'

export interface RunOptions {
  algo: AlgorithmName
  iters: number
  /** Constant step; absent selects Nash-MD's schedule (and `defaultStep` elsewhere). */
  eta?: number
  /** Keep about this many iterates in the series (log- and evenly spaced); absent keeps all T+1. */
  samples?: number
  /** Record π_t at each kept iterate (default true; the CLI, which prints no trajectory, turns it off). */
  policies?: boolean
}

/** The target of the run: π*_τ for τ > 0, the maximal lottery for τ = 0. */
export interface Target {
  policy: Float64Array
  logPolicy: Float64Array
  method: 'newton' | 'linear-program'
  /** Fixed-point residual (Newton) or duality gap (linear program). */
  residual: number
}

export interface RunSeries {
  target: Target
  /** The iterate index of every entry below. */
  t: number[]
  /** KL(π*_τ, π_t) in nats. */
  kl: number[]
  /** 8/(τ²(t+1)); null when τ = 0. */
  bound: number[] | null
  exploitability: number[]
  /** π_t at each kept iterate (empty when not asked for). */
  policies: number[][]
  final: number[]
  /** Kept iterates where KL exceeded the bound (only meaningful for scheduled Nash-MD). */
  boundViolations: number
}

/** π*_τ by Newton (τ > 0) or the maximal lottery by linear programming (τ = 0). */
export function equilibriumTarget(game: PreferenceGame): Target {
  if (game.tau > 0) {
    const e = regularisedEquilibrium(game)
    return { policy: e.policy, logPolicy: e.logPolicy, method: 'newton', residual: e.residual }
  }
  const lp = solveMatrixGame(game.P)
  return { policy: lp.row, logPolicy: logOf(lp.row), method: 'linear-program', residual: lp.upper - lp.lower }
}

/** The regularisation-aware bound of Nash-MD's theorem at iterate t: 8/(τ²(t+1)). */
export function nashMdBound(tau: number, t: number): number {
  return 8 / (tau * tau * (t + 1))
}

/**
 * Run `iters` steps of a dynamics from π_0 = μ and record, per kept iterate, KL(π*_τ, π_t), the
 * bound 8/(τ²(t+1)) and the exploitability of π_t.
 */
export function runGame(game: PreferenceGame, options: RunOptions): RunSeries {
  const target = equilibriumTarget(game)
  const dynamics = startDynamics(game, options.algo, options.eta)
  const T = options.iters
  const kept = options.samples === undefined ? null : sampleIterates(T, options.samples)
  const series: RunSeries = {
    target,
    t: [],
    kl: [],
    bound: game.tau > 0 ? [] : null,
    exploitability: [],
    policies: [],
    final: [],
    boundViolations: 0,
  }
  const scratch = new Float64Array(game.n)
  const keepPolicies = options.policies ?? true
  const record = (t: number) => {
    const log = dynamics.logPolicy
    const kl = klFromLogs(target.logPolicy, log)
    series.t.push(t)
    series.kl.push(kl)
    if (series.bound) {
      const bound = nashMdBound(game.tau, t)
      series.bound.push(bound)
      if (kl > bound) series.boundViolations++
    }
    series.exploitability.push(exploitability(game, log, scratch))
    if (keepPolicies) series.policies.push(toArray(expInto(log, scratch)))
  }
  let next = 0
  for (let t = 0; ; t++) {
    if (kept === null || kept[next] === t) {
      record(t)
      next++
    }
    if (t === T) break
    dynamics.step(t)
  }
  series.final = toArray(expInto(dynamics.logPolicy))
  return series
}
