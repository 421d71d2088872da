import { expect, test } from 'vitest'
import { solveMatrixGame } from '../game/matrix-game'
import { classPreference, oraclePreference, recommendation, responseClass, restaurantOracle } from './oracle'
import { optionNames, options, phrasings, populationMatrix, populationPreference, raterTypes, restaurantComparisons, type Option } from './restaurants'

test('the rater shares sum to 1 and the majorities cycle: 0.65, 0.75, 0.60', () => {
  expect(raterTypes.reduce((s, r) => s + r.share, 0)).toBeCloseTo(1, 12)
  expect(populationPreference('sushi', 'pasta')).toBeCloseTo(0.65, 12)
  expect(populationPreference('pasta', 'tacos')).toBeCloseTo(0.75, 12)
  expect(populationPreference('tacos', 'sushi')).toBeCloseTo(0.6, 12)
  const P = populationMatrix()
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(P[i][j] + P[j][i]).toBeCloseTo(1, 12)
})

test('the population Nash equilibrium is (0.5, 0.2, 0.3): every option scores exactly ½ against it', () => {
  const nash = [0.5, 0.2, 0.3]
  const P = populationMatrix()
  for (let i = 0; i < 3; i++) expect(P[i].reduce((s, p, j) => s + p * nash[j], 0)).toBeCloseTo(0.5, 12)
  const solved = solveMatrixGame(P)
  Array.from(solved.row).forEach((p, i) => expect(p).toBeCloseTo(nash[i], 9))
})

test('every demonstration is a well-formed response making its own recommendation', () => {
  for (const option of optionNames) {
    for (const text of phrasings[option]) {
      expect(recommendation(text)).toBe(option)
      expect(responseClass(text)).toBe(option)
    }
  }
  // Cut off before its end, or naming two options: not well formed, and beaten by any well-formed one.
  expect(responseClass('Try Kaito for sushi: the omakase is')).toBe('other')
  expect(responseClass('Sushi or pasta, both are fine.')).toBe('other')
  expect(oraclePreference(options.tacos, 'Try Kaito for sushi: the omakase is')).toBe(1)
  expect(oraclePreference('nothing', 'nothing either')).toBe(0.5)
  expect(classPreference('sushi', 'pasta')).toBeCloseTo(0.65, 12)
})

test('one oracle judgement is a draw whose mean is the population share', async () => {
  const pairs = Array.from({ length: 20_000 }, () => ({ prompt: 'p', a: options.tacos, b: options.sushi }))
  const p = await restaurantOracle().prefer(pairs, 3)
  expect(new Set(p)).toEqual(new Set([0, 1]))
  const mean = p.reduce((s, x) => s + x, 0) / p.length
  expect(Math.abs(mean - 0.6)).toBeLessThan(0.015)
})

test('the sampled comparisons show the cycle and are reproducible', () => {
  const rows = restaurantComparisons(6000)
  expect(restaurantComparisons(6000)).toEqual(rows)
  const wins = (a: Option, b: Option) => {
    const pairs = rows.filter((r) => [r.chosen, r.rejected].sort().join() === [options[a], options[b]].sort().join())
    return pairs.filter((r) => r.chosen === options[a]).length / pairs.length
  }
  for (const [a, b, truth] of [['sushi', 'pasta', 0.65], ['pasta', 'tacos', 0.75], ['tacos', 'sushi', 0.6]] as [Option, Option, number][]) {
    expect(Math.abs(wins(a, b) - truth)).toBeLessThan(0.04)
  }
})
