import { NashlabError } from '../api/errors'
import type { AlgorithmInfo, AlgorithmName } from '../api/game'
import type { PreferenceGame } from './game'
import { expInto, logOf, normaliseLog, preferenceAgainst } from './vector'

export { algorithmNames, type AlgorithmName } from '../api/game'

/** The constant step used when a constant-step algorithm is given none. */
export const defaultStep = 0.1

/**
 * One run of a dynamics: `logPolicy` holds log π_t; `step(t)` replaces it by log π_{t+1}.
 * The regularised methods below handle τ·KL(·‖μ) exactly through the proximal step
 *   Prox(π, g, η) = argmax_p η[⟨p, g⟩ − τ KL(p‖μ)] − KL(p‖π),  log p ∝ (log π + η g + ητ log μ)/(1 + ητ),
 * whose fixed point π = Prox(π, P(· ≻ π), η) is exactly π*_τ.
 */
export interface Dynamics {
  readonly logPolicy: Float64Array
  step(t: number): void
}

export const algorithms: AlgorithmInfo[] = [
  {
    name: 'nash-md',
    label: 'Nash-MD',
    update: 'π_t^μ ∝ π_t^(1−η_t τ) μ^(η_t τ);  π_{t+1} ∝ π_t^μ · exp(η_t P(· ≻ π_t^μ));  η_t = 2/(τ(t+2)) unless a constant η is given',
    scheduled: true,
    stepped: true,
  },
  {
    name: 'fictitious-play',
    label: 'Fictitious play',
    update: 'b_t = softmax(log μ + P(· ≻ π̄_t)/τ) (a best response when τ = 0);  π̄_{t+1} = π̄_t + (b_t − π̄_t)/(t+2); the iterate is the average π̄_t',
    scheduled: false,
    stepped: false,
  },
  {
    name: 'mwu',
    label: 'Multiplicative weights',
    update: 'π_{t+1} ∝ π_t · exp(η P(· ≻ π_t)) (plain: ignores τ and μ)',
    scheduled: false,
    stepped: true,
  },
  {
    name: 'omd',
    label: 'Online mirror descent',
    update: 'π_{t+1} = Prox(π_t, P(· ≻ π_t), η): mirror descent on the regularised game',
    scheduled: false,
    stepped: true,
  },
  {
    name: 'optimistic',
    label: 'Optimistic mirror descent',
    update: 'w_{t+1} = Prox(w_t, g_t, η);  π_{t+1} = Prox(w_{t+1}, g_t, η) with g_t = P(· ≻ π_t): the last gradient predicts the next',
    scheduled: false,
    stepped: true,
  },
  {
    name: 'extragradient',
    label: 'Extragradient (mirror-prox)',
    update: 'π_{t+½} = Prox(π_t, P(· ≻ π_t), η);  π_{t+1} = Prox(π_t, P(· ≻ π_{t+½}), η)',
    scheduled: false,
    stepped: true,
  },
]

/** Nash-MD's theoretical step η_t = 2/(τ(t+2)), for which KL(π*_τ, π_T) ≤ 8/(τ²(T+1)). */
export function nashMdStep(tau: number, t: number): number {
  return 2 / (tau * (t + 2))
}

/**
 * Start a dynamics on a game. `eta` is the constant step; for Nash-MD leaving it out selects the
 * schedule (which needs τ > 0), and a constant step must keep ητ ≤ 1 (the mixture's exponents).
 */
export function startDynamics(game: PreferenceGame, algo: AlgorithmName, eta?: number): Dynamics {
  if (eta !== undefined && !(eta > 0 && Number.isFinite(eta))) {
    throw new NashlabError('invalid_input', `eta = ${eta}, but a step size must be a positive number.`, { field: 'eta' })
  }
  switch (algo) {
    case 'nash-md':
      if (eta === undefined && game.tau === 0) {
        throw new NashlabError('invalid_input', "Nash-MD's scheduled step 2/(τ(t+2)) needs tau > 0; give a constant eta for tau = 0.", { field: 'eta' })
      }
      if (eta !== undefined && eta * game.tau > 1) {
        throw new NashlabError('invalid_input', `Nash-MD needs eta·tau ≤ 1 (the mixture weight on μ); got eta·tau = ${eta * game.tau}.`, { field: 'eta' })
      }
      return nashMd(game, eta)
    case 'fictitious-play':
      if (eta !== undefined) throw new NashlabError('invalid_input', 'Fictitious play takes no step size; leave eta out.', { field: 'eta' })
      return fictitiousPlay(game)
    case 'mwu':
      return multiplicativeWeights(game, eta ?? defaultStep)
    case 'omd':
      return mirrorDescent(game, eta ?? defaultStep)
    case 'optimistic':
      return optimisticMirrorDescent(game, eta ?? defaultStep)
    case 'extragradient':
      return extragradient(game, eta ?? defaultStep)
  }
}

/** Nash-MD: a mirror-descent step taken from, and against, the geometric mixture π_t^μ. */
function nashMd(game: PreferenceGame, eta: number | undefined): Dynamics {
  const { n, P, tau, logMu } = game
  const log = Float64Array.from(logMu)
  const mixture = new Float64Array(n)
  const g = new Float64Array(n)
  return {
    logPolicy: log,
    step(t) {
      const step = eta ?? nashMdStep(tau, t)
      const w = step * tau
      for (let i = 0; i < n; i++) log[i] = (1 - w) * log[i] + w * logMu[i]
      normaliseLog(log)
      preferenceAgainst(P, expInto(log, mixture), g)
      for (let i = 0; i < n; i++) log[i] += step * g[i]
      normaliseLog(log)
    },
  }
}

/** Fictitious play: the average of (regularised) best responses to the running average. */
function fictitiousPlay(game: PreferenceGame): Dynamics {
  const { n, P, tau, logMu } = game
  const average = Float64Array.from(game.mu)
  const log = logOf(average)
  const g = new Float64Array(n)
  const response = new Float64Array(n)
  return {
    logPolicy: log,
    step(t) {
      preferenceAgainst(P, average, g)
      if (tau > 0) {
        for (let i = 0; i < n; i++) response[i] = logMu[i] + g[i] / tau
        expInto(normaliseLog(response), response)
      } else {
        // Ties (to rounding) share the best response equally.
        const best = Math.max(...g)
        let count = 0
        for (let i = 0; i < n; i++) count += g[i] >= best - 1e-12 ? 1 : 0
        for (let i = 0; i < n; i++) response[i] = g[i] >= best - 1e-12 ? 1 / count : 0
      }
      for (let i = 0; i < n; i++) average[i] += (response[i] - average[i]) / (t + 2)
      for (let i = 0; i < n; i++) log[i] = Math.log(average[i])
    },
  }
}

/** Plain multiplicative weights (Hedge) in self-play on P, with no regulariser. */
function multiplicativeWeights(game: PreferenceGame, eta: number): Dynamics {
  const { n, P } = game
  const log = Float64Array.from(game.logMu)
  const pi = new Float64Array(n)
  const g = new Float64Array(n)
  return {
    logPolicy: log,
    step() {
      preferenceAgainst(P, expInto(log, pi), g)
      for (let i = 0; i < n; i++) log[i] += eta * g[i]
      normaliseLog(log)
    },
  }
}

/** The proximal step Prox(from, g, η) of the regularised game, written into `out` (log domain). */
function prox(game: PreferenceGame, from: Float64Array, g: Float64Array, eta: number, out: Float64Array): Float64Array {
  const w = eta * game.tau
  for (let i = 0; i < game.n; i++) out[i] = (from[i] + eta * g[i] + w * game.logMu[i]) / (1 + w)
  return normaliseLog(out)
}

function mirrorDescent(game: PreferenceGame, eta: number): Dynamics {
  const log = Float64Array.from(game.logMu)
  const pi = new Float64Array(game.n)
  const g = new Float64Array(game.n)
  return {
    logPolicy: log,
    step() {
      preferenceAgainst(game.P, expInto(log, pi), g)
      prox(game, log, g, eta, log)
    },
  }
}

function optimisticMirrorDescent(game: PreferenceGame, eta: number): Dynamics {
  const log = Float64Array.from(game.logMu)
  const secondary = Float64Array.from(game.logMu)
  const pi = new Float64Array(game.n)
  const g = new Float64Array(game.n)
  return {
    logPolicy: log,
    step() {
      preferenceAgainst(game.P, expInto(log, pi), g)
      prox(game, secondary, g, eta, secondary)
      prox(game, secondary, g, eta, log)
    },
  }
}

function extragradient(game: PreferenceGame, eta: number): Dynamics {
  const log = Float64Array.from(game.logMu)
  const half = new Float64Array(game.n)
  const pi = new Float64Array(game.n)
  const g = new Float64Array(game.n)
  return {
    logPolicy: log,
    step() {
      preferenceAgainst(game.P, expInto(log, pi), g)
      prox(game, log, g, eta, half)
      preferenceAgainst(game.P, expInto(half, pi), g)
      prox(game, log, g, eta, log)
    },
  }
}
