import { expect, test } from 'vitest'
import { options, raterTypes, restaurantComparisons, type Option } from './restaurants'

test('every pairwise majority of the population is 2/3, and they form a cycle', () => {
  const share = (a: Option, b: Option) => raterTypes.filter((r) => r.ranking.indexOf(a) < r.ranking.indexOf(b)).length / raterTypes.length
  expect(share('sushi', 'pasta')).toBeCloseTo(2 / 3)
  expect(share('pasta', 'tacos')).toBeCloseTo(2 / 3)
  expect(share('tacos', 'sushi')).toBeCloseTo(2 / 3)
})

test('the sampled comparisons show the cycle and are reproducible', () => {
  const rows = restaurantComparisons(3000)
  expect(restaurantComparisons(3000)).toEqual(rows)
  const wins = (a: Option, b: Option) => {
    const pairs = rows.filter((r) => [r.chosen, r.rejected].sort().join() === [options[a], options[b]].sort().join())
    return pairs.filter((r) => r.chosen === options[a]).length / pairs.length
  }
  for (const [a, b] of [['sushi', 'pasta'], ['pasta', 'tacos'], ['tacos', 'sushi']] as [Option, Option][]) {
    expect(wins(a, b)).toBeGreaterThan(0.6)
    expect(wins(a, b)).toBeLessThan(0.73)
  }
})
