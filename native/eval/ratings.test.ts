import { expect, test } from 'vitest'
import { bootstrapElo, bradleyTerry, nonTransitiveTriples, type PairResults } from './ratings'

/** Expected results of a round robin under known strengths (no sampling noise). */
function expectedResults(strength: number[], gamesPerPair: number): PairResults {
  const n = strength.length
  const games = strength.map((_, i) => strength.map((_, j) => (i === j ? 0 : gamesPerPair)))
  const wins = strength.map((si, i) => strength.map((sj, j) => (i === j ? 0 : (gamesPerPair * si) / (si + sj))))
  return { wins, games: games.slice(0, n) }
}

test('Bradley–Terry recovers the strengths that generated the results', () => {
  const truth = [4, 2, 1, 0.5]
  const fit = bradleyTerry(expectedResults(truth, 1e6), { prior: 0 })
  const geo = Math.exp(truth.reduce((s, v) => s + Math.log(v), 0) / truth.length)
  fit.strength.forEach((p, i) => expect(p).toBeCloseTo(truth[i] / geo, 8))
  // 2:1 odds are 400·log10(2) ≈ 120.4 Elo points.
  expect(fit.elo[0] - fit.elo[1]).toBeCloseTo(400 * Math.log10(2), 6)
})

test('an undefeated player stays finite with the prior', () => {
  const fit = bradleyTerry({ wins: [[0, 10], [0, 0]], games: [[0, 10], [10, 0]] })
  expect(Number.isFinite(fit.elo[0])).toBe(true)
  expect(fit.elo[0]).toBeGreaterThan(fit.elo[1])
})

test('bootstrap intervals contain the estimate, shrink with more games and repeat by seed', () => {
  const few = expectedResults([2, 1, 1], 20)
  const many = expectedResults([2, 1, 1], 2000)
  const fitFew = bradleyTerry(few)
  const a = bootstrapElo(few, { seed: 3 })
  expect(bootstrapElo(few, { seed: 3 })).toEqual(a)
  fitFew.elo.forEach((e, i) => {
    expect(a.low[i]).toBeLessThanOrEqual(e)
    expect(a.high[i]).toBeGreaterThanOrEqual(e)
  })
  const b = bootstrapElo(many, { seed: 3, samples: 50 })
  expect(b.high[0] - b.low[0]).toBeLessThan((a.high[0] - a.low[0]) / 3)
})

test('a rock-paper-scissors cycle is flagged; a transitive order is not', () => {
  const rps = [
    [0.5, 0.1, 0.9],
    [0.9, 0.5, 0.1],
    [0.1, 0.9, 0.5],
  ]
  // 0 beats 2, 2 beats 1, 1 beats 0.
  expect(nonTransitiveTriples(rps)).toEqual([[0, 2, 1]])
  const order = [
    [0.5, 0.7, 0.8],
    [0.3, 0.5, 0.6],
    [0.2, 0.4, 0.5],
  ]
  expect(nonTransitiveTriples(order)).toEqual([])
})
