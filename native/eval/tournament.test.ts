import { expect, test } from 'vitest'
import { options, type Option } from '../demo/restaurants'
import { restaurantOracle } from '../demo/oracle'
import { runTournament, type Player } from './tournament'

/** A player that recommends each restaurant with fixed probabilities. */
function mixture(label: string, weights: Record<Option, number>): Player {
  return {
    label,
    async respond(prompts, seed) {
      let s = seed * 7919 + label.length
      const random = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
      const keys = Object.keys(weights) as Option[]
      return prompts.map(() => {
        let u = random()
        for (const key of keys) if ((u -= weights[key]) <= 0) return options[key]
        return options[keys[keys.length - 1]]
      })
    },
  }
}

test('a round robin of pure strategies under the cyclic population reproduces its cycle (0.65, 0.75, 0.60)', async () => {
  const players = [mixture('sushi', { sushi: 1, pasta: 0, tacos: 0 }), mixture('pasta', { sushi: 0, pasta: 1, tacos: 0 }), mixture('tacos', { sushi: 0, pasta: 0, tacos: 1 })]
  const result = await runTournament({ players, judge: restaurantOracle(), prompts: ['Where should we eat?'], n: 600, seed: 5, bootstrap: 50 })
  const { matrix } = result
  for (let r = 0; r < 3; r++) {
    expect(matrix[r][r]).toBe(0.5)
    for (let c = 0; c < 3; c++) expect(matrix[r][c] + matrix[c][r]).toBeCloseTo(1, 12)
  }
  // Column sushi beats row pasta (0.65); pasta beats tacos (0.75); tacos beat sushi (0.60).
  for (const [r, c, truth] of [[1, 0, 0.65], [2, 1, 0.75], [0, 2, 0.6]]) {
    expect(matrix[r][c]).toBeGreaterThan(0.5)
    expect(result.ci_low[r][c]).toBeLessThan(truth)
    expect(result.ci_high[r][c]).toBeGreaterThan(truth)
    expect(result.n[r][c]).toBe(600)
  }
  expect(result.nonTransitive).toHaveLength(1)
  // The maximal lottery of the population is (0.5, 0.2, 0.3); the sampled matrix's is near it, and no pure player is unexploitable.
  ;[0.5, 0.2, 0.3].forEach((p, i) => expect(Math.abs(result.nash[i] - p)).toBeLessThan(0.15))
  result.exploitability.forEach((e) => expect(e).toBeGreaterThan(0.05))
})

test('the population Nash mixture (0.5, 0.2, 0.3) is not beaten by any pure strategy', async () => {
  const players = [
    mixture('nash', { sushi: 0.5, pasta: 0.2, tacos: 0.3 }),
    mixture('sushi', { sushi: 1, pasta: 0, tacos: 0 }),
    mixture('pasta', { sushi: 0, pasta: 1, tacos: 0 }),
  ]
  const result = await runTournament({ players, judge: restaurantOracle(), prompts: ['p'], n: 900, seed: 11, bootstrap: 20 })
  // Every cell against the Nash mixture is within its interval of ½.
  for (const c of [1, 2]) {
    expect(result.ci_low[0][c]).toBeLessThan(0.5)
    expect(result.ci_high[0][c]).toBeGreaterThan(0.5)
  }
  expect(result.exploitability[0]).toBeLessThan(0.1)
})

test('a judge that is not antisymmetric is asked in both orders, cancelling position bias', async () => {
  const leftLover = {
    name: 'biased',
    antisymmetric: false,
    prefer: async (pairs: { a: string; b: string }[]) => pairs.map((p) => (p.a === p.b ? 0.5 : 0.9)),
  }
  const players = [mixture('a', { sushi: 1, pasta: 0, tacos: 0 }), mixture('b', { sushi: 0, pasta: 1, tacos: 0 })]
  const result = await runTournament({ players, judge: leftLover, prompts: ['p'], n: 10, bootstrap: 5 })
  expect(result.matrix[0][1]).toBeCloseTo(0.5, 12)
})
