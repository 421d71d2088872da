import type { z } from 'zod'
import type { GameSolution, MatrixNash, gameSolveInput } from '../api/game'
import { defaultStep } from './algorithms'
import { exploitability } from './exploitability'
import { actionNames, preferenceGame } from './game'
import { solveMatrixGame } from './matrix-game'
import { runGame } from './solve'
import { toArray } from './vector'

export type SolveRequest = z.output<typeof gameSolveInput> & { policies?: boolean }

/** `game.solve`: validate the game, run the dynamics, and package the series. */
export function solveGame(request: SolveRequest): GameSolution {
  const game = preferenceGame(request.P, request.mu, request.tau)
  const series = runGame(game, {
    algo: request.algo,
    iters: request.iters,
    eta: request.eta,
    samples: request.samples,
    policies: request.policies,
  })
  const actions = actionNames(game.n, request.actions)
  const scheduled = request.algo === 'nash-md' && request.eta === undefined
  return {
    actions,
    algo: request.algo,
    tau: game.tau,
    eta: scheduled || request.algo === 'fictitious-play' ? null : (request.eta ?? defaultStep),
    iters: request.iters,
    mu: toArray(game.mu),
    nash: toArray(series.target.policy),
    nashMethod: series.target.method,
    nashResidual: series.target.residual,
    nashExploitability: exploitability(game, series.target.logPolicy),
    final: series.final,
    t: series.t,
    kl: series.kl,
    bound: series.bound,
    exploitability: series.exploitability,
    policies: series.policies,
    boundViolations: series.bound ? series.boundViolations : 0,
  }
}

/** `game.nash`: the maximal lottery (row maximin strategy) of any matrix and its value. */
export function matrixNash(P: number[][]): MatrixNash {
  const solution = solveMatrixGame(P)
  return { nash: toArray(solution.row), value: solution.value }
}
