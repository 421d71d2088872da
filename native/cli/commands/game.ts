import fs from 'node:fs'
import { algorithmNames, type AlgorithmName } from '../../api/game'
import { NashlabError } from '../../api/errors'
import { parseInput } from '../../engine/engine'
import { matrixNash, solveGame, type SolveRequest } from '../../game/solution'
import { numberFlag, requiredFlag, stringFlag } from '../args'
import type { CliCommand, ParsedArgs } from '../command'

/** What `nashlab game --json` prints: the full series, one entry per iterate t = 0..N. */
export interface GameCliResult {
  nash: number[]
  final: number[]
  kl: number[]
  bound: number[] | null
  exploitability: number[]
}

/** Read a `{"P": [[…]], "mu": […], "actions": […]}` file; mu and actions are optional. */
function readMatrixFile(file: string): { P: unknown; mu?: unknown; actions?: unknown } {
  if (!fs.existsSync(file)) throw new NashlabError('not_found', `The file ${file} does not exist.`, { file })
  let value: unknown
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (error) {
    throw new NashlabError('bad_file', `${file} is not valid JSON (${(error as Error).message}).`, { file })
  }
  if (typeof value !== 'object' || value === null || !('P' in value)) {
    throw new NashlabError('bad_file', `${file} needs an object with a "P" field: {"P": [[…]], "mu": […], "actions": […]}.`, { file })
  }
  return value as { P: unknown; mu?: unknown; actions?: unknown }
}

function requiredNumber(args: ParsedArgs, name: string): number {
  requiredFlag(args, name)
  return numberFlag(args, name) as number
}

const formatPolicy = (actions: string[], p: number[]) => actions.map((a, i) => `${a} ${p[i].toFixed(4)}`).join('  ')

export const gameCommands: CliCommand[] = [
  {
    words: ['game'],
    usage: 'nashlab game --matrix FILE.json --tau T --iters N [--algo A] [--eta E] [--json]',
    summary: `Run a dynamics (A: ${algorithmNames.join(', ')}) on a preference game; π*_τ, π_N, KL, bound, exploitability per iterate`,
    run: (args, ctx) => {
      const file = readMatrixFile(requiredFlag(args, 'matrix'))
      const input = parseInput('game.solve', {
        P: file.P,
        mu: file.mu,
        actions: file.actions,
        tau: requiredNumber(args, 'tau'),
        iters: requiredNumber(args, 'iters'),
        algo: (stringFlag(args, 'algo') ?? 'nash-md') as AlgorithmName,
        eta: numberFlag(args, 'eta'),
      }) as SolveRequest
      const solution = solveGame({ ...input, policies: false })
      const result: GameCliResult = {
        nash: solution.nash,
        final: solution.final,
        kl: solution.kl,
        bound: solution.bound,
        exploitability: solution.exploitability,
      }
      // --json prints exactly the documented fields; the text form also names actions and settings.
      return ctx.json ? result : { ...result, actions: solution.actions, tau: solution.tau, algo: solution.algo }
    },
    format: (r: GameCliResult & { actions: string[]; tau: number; algo: string }) => {
      const N = r.kl.length - 1
      const lines = [
        `${r.tau > 0 ? `π*_τ (τ = ${r.tau})` : 'maximal lottery (τ = 0)'}: ${formatPolicy(r.actions, r.nash)}`,
        `π_${N} after ${N} steps of ${r.algo}: ${formatPolicy(r.actions, r.final)}`,
        `KL(π*, π_${N}) = ${r.kl[N].toExponential(3)}` +
          (r.bound ? `  (bound 8/(τ²(N+1)) = ${r.bound[N].toExponential(3)})` : '') +
          `  exploitability ${r.exploitability[N].toExponential(3)}`,
      ]
      return lines.join('\n')
    },
  },
  {
    words: ['nash'],
    usage: 'nashlab nash --matrix FILE.json [--json]',
    summary: 'The maximal lottery of a matrix {"P": [[…]]} (P[i][j] = P(i ≻ j)) by linear programming, and the game value',
    run: (args) => {
      const file = readMatrixFile(requiredFlag(args, 'matrix'))
      const { P } = parseInput('game.nash', { P: file.P }) as { P: number[][] }
      return matrixNash(P)
    },
    format: (r: { nash: number[]; value: number }) => `maximal lottery: ${r.nash.map((p) => p.toFixed(6)).join(' ')}\nvalue: ${r.value}`,
  },
]
