import { Rng } from '../runtime/rng'

/**
 * Ratings from pairwise results: Bradley–Terry strengths by Hunter's MM algorithm, shown on the
 * Elo scale, with parametric-bootstrap intervals; and the non-transitive triples that no rating
 * can represent.
 *
 * Results are given as `wins[i][j]` = games player i won against player j (ties count ½ to each)
 * and `games[i][j]` = games between them (symmetric).
 */

export interface PairResults {
  wins: number[][]
  games: number[][]
}

export interface BradleyTerry {
  /** Strengths p_i with geometric mean 1: P(i ≻ j) = p_i / (p_i + p_j). */
  strength: number[]
  /** Elo-scale ratings: 1500 + 400·log10(p_i), so a 400-point gap is 10:1 odds. */
  elo: number[]
}

/**
 * Bradley–Terry by minorisation–maximisation (Hunter 2004): p_i ← W_i / Σ_j n_ij / (p_i + p_j).
 * A prior of one virtual tie per compared pair (½ win each way) keeps an undefeated or winless
 * player finite; it is documented in the UI as "with a one-game prior".
 */
export function bradleyTerry(results: PairResults, options: { prior?: number; iterations?: number; tolerance?: number } = {}): BradleyTerry {
  const n = results.wins.length
  const prior = options.prior ?? 0.5
  const wins = results.wins.map((row, i) => row.map((w, j) => (i !== j && results.games[i][j] > 0 ? w + prior : 0)))
  const games = results.games.map((row, i) => row.map((g, j) => (i !== j && g > 0 ? g + 2 * prior : 0)))
  const total = wins.map((row) => row.reduce((s, w) => s + w, 0))
  let p = new Array<number>(n).fill(1)
  for (let iteration = 0; iteration < (options.iterations ?? 10_000); iteration++) {
    const next = p.map((pi, i) => {
      let denominator = 0
      for (let j = 0; j < n; j++) if (games[i][j] > 0) denominator += games[i][j] / (pi + p[j])
      return denominator > 0 ? total[i] / denominator : pi
    })
    const logMean = next.reduce((s, v) => s + Math.log(v), 0) / n
    const scaled = next.map((v) => v / Math.exp(logMean))
    const change = Math.max(...scaled.map((v, i) => Math.abs(Math.log(v / p[i]))))
    p = scaled
    if (change < (options.tolerance ?? 1e-12)) break
  }
  return { strength: p, elo: p.map((v) => 1500 + 400 * Math.log10(v)) }
}

function binomial(n: number, p: number, random: () => number): number {
  let k = 0
  for (let i = 0; i < n; i++) if (random() < p) k++
  return k
}

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q
  const lo = Math.floor(at)
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (at - lo)
}

/**
 * 95% (by default) intervals of the Elo ratings: each resample redraws every pair's games from a
 * binomial with the observed win rate and refits Bradley–Terry.
 */
export function bootstrapElo(results: PairResults, options: { samples?: number; seed?: number; alpha?: number } = {}): { low: number[]; high: number[] } {
  const n = results.wins.length
  const rng = Rng.fromSeed(options.seed ?? 1)
  const random = () => rng.float()
  const draws: number[][] = Array.from({ length: n }, () => [])
  for (let s = 0; s < (options.samples ?? 200); s++) {
    const wins = results.wins.map((row) => row.map(() => 0))
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const g = results.games[i][j]
        if (g <= 0) continue
        const k = binomial(Math.round(g), results.wins[i][j] / g, random)
        wins[i][j] = k
        wins[j][i] = Math.round(g) - k
      }
    }
    const { elo } = bradleyTerry({ wins, games: results.games.map((row) => row.map((g) => Math.round(g))) }, { tolerance: 1e-9 })
    elo.forEach((e, i) => draws[i].push(e))
  }
  const alpha = options.alpha ?? 0.05
  const sorted = draws.map((d) => [...d].sort((a, b) => a - b))
  return { low: sorted.map((d) => quantile(d, alpha / 2)), high: sorted.map((d) => quantile(d, 1 - alpha / 2)) }
}

/**
 * Triples (i, j, k) whose majorities form a cycle: i ≻ j ≻ k ≻ i, each with P > ½. Each cycle is
 * reported once, starting from its smallest index. `preference[i][j]` = P(i ≻ j).
 */
export function nonTransitiveTriples(preference: number[][]): [number, number, number][] {
  const n = preference.length
  const beats = (a: number, b: number) => preference[a][b] > 0.5
  const cycles: [number, number, number][] = []
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      for (let k = j + 1; k < n; k++) {
        if (beats(i, j) && beats(j, k) && beats(k, i)) cycles.push([i, j, k])
        else if (beats(i, k) && beats(k, j) && beats(j, i)) cycles.push([i, k, j])
      }
  return cycles
}
