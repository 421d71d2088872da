import type { TournamentResult } from '../api/tournaments'
import { solveMatrixGame } from '../game/matrix-game'
import { clopperPearson } from './beta'
import { bootstrapElo, bradleyTerry, nonTransitiveTriples } from './ratings'

export type { TournamentResult }

/** A contestant: anything that answers prompts (a model, a checkpoint, a fixed policy). */
export interface Player {
  label: string
  /**
   * One response per prompt; `seed` makes the draw reproducible. `progress(done)` may be called
   * with the number of responses finished so far.
   */
  respond(prompts: string[], seed: number, signal?: AbortSignal, progress?: (done: number) => void): Promise<string[]>
}

/** Who decides: a preference model, the demo's rater population, or humans. */
export interface Judge {
  name: string
  /**
   * True when P(a ≻ b) = 1 − P(b ≻ a) by construction. Otherwise every pair is judged in both
   * orders and the two answers averaged, so the position of a response cannot bias a cell.
   */
  antisymmetric: boolean
  /** P(a ≻ b | prompt) for each pair: 1 or 0 for a vote, ½ for a tie, a probability for a model. */
  prefer(pairs: { prompt: string; a: string; b: string }[], seed: number, signal?: AbortSignal): Promise<number[]>
}

/** Work done so far: responses generated, then pairs judged, in one count. */
export interface TournamentProgress {
  done: number
  total: number
  phase: 'generate' | 'judge'
}

export interface TournamentOptions {
  players: Player[]
  judge: Judge
  prompts: string[]
  /** Judged pairs per cell. */
  n: number
  seed?: number
  /** Bootstrap resamples for the rating intervals. */
  bootstrap?: number
  onProgress?: (progress: TournamentProgress) => void
  /** Each player's responses once generated (to store them, or to show them). */
  onResponses?: (player: number, prompts: string[], responses: string[]) => void
  signal?: AbortSignal
}

/**
 * A round robin: every player answers the same n prompts (cycled from the prompt set, the k-th
 * draw seeded alike for all players), every pair of players is judged on each of those n
 * prompts, and a cell's value is the mean judged P(column ≻ row). Each judged pair counts as one
 * game (a probability counts as a fractional win), which is what the interval and the ratings use.
 */
export async function runTournament(options: TournamentOptions): Promise<TournamentResult> {
  const { players, judge, n } = options
  const seed = options.seed ?? 1
  const k = players.length
  if (k < 2) throw new Error('a tournament needs at least two players')
  if (options.prompts.length === 0) throw new Error('a tournament needs at least one prompt')
  const prompts = Array.from({ length: n }, (_, i) => options.prompts[i % options.prompts.length])
  const pairsTotal = (k * (k - 1)) / 2
  const orders = judge.antisymmetric ? 1 : 2
  const total = k * n + pairsTotal * n * orders
  let done = 0
  const report = (phase: TournamentProgress['phase']) => options.onProgress?.({ done, total, phase })

  const responses: string[][] = []
  for (const [i, player] of players.entries()) {
    const before = done
    const answers = await player.respond(prompts, seed, options.signal, (finished) => {
      done = before + Math.min(finished, n)
      report('generate')
    })
    done = before + n
    report('generate')
    options.onResponses?.(i, prompts, answers)
    responses.push(answers)
  }

  // wins[i][j]: games i won against j.
  const wins = players.map(() => new Array<number>(k).fill(0))
  const games = players.map((_, i) => players.map((__, j) => (i === j ? 0 : n)))
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      options.signal?.throwIfAborted()
      const pairs = prompts.map((prompt, t) => ({ prompt, a: responses[i][t], b: responses[j][t] }))
      const forward = await judge.prefer(pairs, seed + i * k + j, options.signal)
      done += n
      let p = forward
      if (!judge.antisymmetric) {
        report('judge')
        const backward = await judge.prefer(pairs.map((q) => ({ prompt: q.prompt, a: q.b, b: q.a })), seed + j * k + i, options.signal)
        p = forward.map((f, t) => (f + 1 - backward[t]) / 2)
        done += n
      }
      const iWins = p.reduce((s, v) => s + v, 0)
      wins[i][j] = iWins
      wins[j][i] = n - iWins
      report('judge')
    }
  }
  return summarizeTournament(
    players.map((p) => p.label),
    judge.name,
    { wins, games },
    { seed, bootstrap: options.bootstrap },
  )
}

/**
 * Everything a tournament reports, from its raw results: `wins[i][j]` games player i won against
 * player j and `games[i][j]` judged pairs between them (symmetric; may differ between cells, as
 * with human votes, and be 0 for a pair never judged: its cell is ½ with the interval [0, 1]).
 */
export function summarizeTournament(
  labels: string[],
  judge: string,
  results: { wins: number[][]; games: number[][] },
  options: { seed?: number; bootstrap?: number } = {},
): TournamentResult {
  const { wins, games } = results
  const seed = options.seed ?? 1
  const indices = labels.map((_, i) => i)
  // P(i ≻ j) by rows (the game's payoff), then its transpose for the reported matrix.
  const preference = indices.map((i) => indices.map((j) => (i === j || games[i][j] === 0 ? 0.5 : wins[i][j] / games[i][j])))
  const matrix = indices.map((r) => indices.map((c) => preference[c][r]))
  const interval = indices.map((r) =>
    indices.map((c): [number, number] => (r === c ? [0.5, 0.5] : games[c][r] === 0 ? [0, 1] : clopperPearson(wins[c][r], games[c][r]))),
  )
  const fit = bradleyTerry({ wins, games })
  const intervals = bootstrapElo({ wins, games }, { seed, samples: options.bootstrap ?? 200 })
  const equilibrium = solveMatrixGame(preference)
  return {
    players: labels,
    judge,
    matrix,
    ci_low: interval.map((row) => row.map((ci) => ci[0])),
    ci_high: interval.map((row) => row.map((ci) => ci[1])),
    n: games.map((row, i) => row.map((g, j) => (i === j ? 0 : g))),
    bt: { elo: fit.elo, low: intervals.low, high: intervals.high },
    nash: Array.from(equilibrium.row),
    exploitability: indices.map((i) => Math.max(...indices.map((y) => preference[y][i])) - 0.5),
    nonTransitive: nonTransitiveTriples(preference),
    wins: wins.map((row) => [...row]),
  }
}
