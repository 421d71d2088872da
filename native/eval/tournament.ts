import { solveMatrixGame } from '../game/matrix-game'
import { clopperPearson } from './beta'
import { bootstrapElo, bradleyTerry, nonTransitiveTriples } from './ratings'

/** A contestant: anything that answers prompts (a model, a checkpoint, a fixed policy). */
export interface Player {
  label: string
  /** One response per prompt; `seed` makes the draw reproducible. */
  respond(prompts: string[], seed: number, signal?: AbortSignal): Promise<string[]>
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

export interface TournamentOptions {
  players: Player[]
  judge: Judge
  prompts: string[]
  /** Judged pairs per cell. */
  n: number
  seed?: number
  /** Bootstrap resamples for the rating intervals. */
  bootstrap?: number
  onProgress?: (done: number, total: number) => void
  signal?: AbortSignal
}

export interface TournamentResult {
  players: string[]
  judge: string
  /** matrix[r][c] = P(players[c] ≻ players[r]); diagonal ½; matrix[r][c] + matrix[c][r] = 1. */
  matrix: number[][]
  /** Clopper–Pearson 95% interval of each cell. */
  ci_low: number[][]
  ci_high: number[][]
  /** Judged pairs behind each cell (0 on the diagonal). */
  n: number[][]
  /** Bradley–Terry ratings on the Elo scale with bootstrap 95% intervals. */
  bt: { elo: number[]; low: number[]; high: number[] }
  /** The maximal lottery of the empirical matrix: the mixture of players no player beats. */
  nash: number[]
  /** For each player: max over opponents of P(opponent ≻ player) − ½ (0 only for an unbeatable player). */
  exploitability: number[]
  /** Triples [a, b, c] of player indices with a ≻ b ≻ c ≻ a (each majority > ½). */
  nonTransitive: number[][]
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
  const total = k + pairsTotal
  let done = 0
  const tick = () => options.onProgress?.(++done, total)

  const responses: string[][] = []
  for (const player of players) {
    responses.push(await player.respond(prompts, seed, options.signal))
    tick()
  }

  // wins[i][j]: games i won against j.
  const wins = players.map(() => new Array<number>(k).fill(0))
  const games = players.map((_, i) => players.map((__, j) => (i === j ? 0 : n)))
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      options.signal?.throwIfAborted()
      const pairs = prompts.map((prompt, t) => ({ prompt, a: responses[i][t], b: responses[j][t] }))
      const forward = await judge.prefer(pairs, seed + i * k + j, options.signal)
      let p = forward
      if (!judge.antisymmetric) {
        const backward = await judge.prefer(pairs.map((q) => ({ prompt: q.prompt, a: q.b, b: q.a })), seed + j * k + i, options.signal)
        p = forward.map((f, t) => (f + 1 - backward[t]) / 2)
      }
      const iWins = p.reduce((s, v) => s + v, 0)
      wins[i][j] = iWins
      wins[j][i] = n - iWins
      tick()
    }
  }

  // P(i ≻ j) by rows (the game's payoff), then its transpose for the reported matrix.
  const preference = players.map((_, i) => players.map((__, j) => (i === j ? 0.5 : wins[i][j] / n)))
  const matrix = players.map((_, r) => players.map((__, c) => preference[c][r]))
  const interval = players.map((_, r) => players.map((__, c) => (r === c ? ([0.5, 0.5] as [number, number]) : clopperPearson(wins[c][r], n))))
  const fit = bradleyTerry({ wins, games })
  const intervals = bootstrapElo({ wins, games }, { seed, samples: options.bootstrap ?? 200 })
  const equilibrium = solveMatrixGame(preference)
  return {
    players: players.map((p) => p.label),
    judge: judge.name,
    matrix,
    ci_low: interval.map((row) => row.map((ci) => ci[0])),
    ci_high: interval.map((row) => row.map((ci) => ci[1])),
    n: games,
    bt: { elo: fit.elo, low: intervals.low, high: intervals.high },
    nash: Array.from(equilibrium.row),
    exploitability: players.map((_, i) => Math.max(...players.map((__, y) => preference[y][i])) - 0.5),
    nonTransitive: nonTransitiveTriples(preference),
  }
}
