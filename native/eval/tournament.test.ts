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

test('a round robin of pure strategies under the cyclic population reproduces the 2/3 cycle', async () => {
  const players = [mixture('sushi', { sushi: 1, pasta: 0, tacos: 0 }), mixture('pasta', { sushi: 0, pasta: 1, tacos: 0 }), mixture('tacos', { sushi: 0, pasta: 0, tacos: 1 })]
  const result = await runTournament({ players, judge: restaurantOracle(), prompts: ['Where should we eat?'], n: 600, seed: 5, bootstrap: 50 })
  const { matrix } = result
  for (let r = 0; r < 3; r++) {
    expect(matrix[r][r]).toBe(0.5)
    for (let c = 0; c < 3; c++) expect(matrix[r][c] + matrix[c][r]).toBeCloseTo(1, 12)
  }
  // Column sushi beats row pasta by 2/3; pasta beats tacos; tacos beat sushi.
  expect(matrix[1][0]).toBeGreaterThan(0.6)
  expect(matrix[2][1]).toBeGreaterThan(0.6)
  expect(matrix[0][2]).toBeGreaterThan(0.6)
  for (const [r, c] of [[1, 0], [2, 1], [0, 2]]) {
    expect(result.ci_low[r][c]).toBeLessThan(2 / 3)
    expect(result.ci_high[r][c]).toBeGreaterThan(2 / 3)
    expect(result.n[r][c]).toBe(600)
  }
  expect(result.nonTransitive).toHaveLength(1)
  // The maximal lottery of a cycle is (close to) uniform, and no pure player is unexploitable.
  result.nash.forEach((p) => expect(p).toBeCloseTo(1 / 3, 1))
  result.exploitability.forEach((e) => expect(e).toBeGreaterThan(0.1))
  // Elo cannot separate a symmetric cycle: all ratings overlap.
  expect(Math.max(...result.bt.low)).toBeLessThan(Math.min(...result.bt.high))
})

test('the uniform mixture is not beaten by any pure strategy', async () => {
  const players = [
    mixture('uniform', { sushi: 1 / 3, pasta: 1 / 3, tacos: 1 / 3 }),
    mixture('sushi', { sushi: 1, pasta: 0, tacos: 0 }),
    mixture('pasta', { sushi: 0, pasta: 1, tacos: 0 }),
  ]
  const result = await runTournament({ players, judge: restaurantOracle(), prompts: ['p'], n: 900, seed: 11, bootstrap: 20 })
  // Every cell against the uniform mixture is within its interval of ½.
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
