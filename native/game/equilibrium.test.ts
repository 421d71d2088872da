import { describe, expect, it } from 'vitest'
import { fixedPointResidual, regularisedEquilibrium } from './equilibrium'
import { exploitability } from './exploitability'
import { preferenceGame } from './game'
import { randomDistribution, randomPreferences, seededRandom } from './random'
import { logOf, preferenceAgainst, softmax } from './vector'

describe('regularisedEquilibrium', () => {
  it('solves π = softmax(log μ + P(· ≻ π)/τ) to 1e-12 on random games across temperatures', () => {
    const next = seededRandom(11)
    let games = 0
    for (const n of [2, 3, 5, 10, 30]) {
      for (const tau of [10, 1, 0.1, 0.01, 0.001]) {
        for (let k = 0; k < 4; k++) {
          const game = preferenceGame(randomPreferences(n, next), randomDistribution(n, next), tau)
          const e = regularisedEquilibrium(game)
          // The fixed-point equation, evaluated independently of the solver.
          const g = preferenceAgainst(game.P, e.policy)
          const rhs = softmax(Array.from({ length: n }, (_, i) => Math.log(game.mu[i]) + g[i] / tau))
          for (let i = 0; i < n; i++) expect(Math.abs(e.policy[i] - rhs[i])).toBeLessThanOrEqual(1e-12)
          expect(e.residual).toBeLessThanOrEqual(1e-12)
          expect(e.policy.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14)
          games++
        }
      }
    }
    expect(games).toBe(100)
  })

  it('is the unique point of zero exploitability: perturbations are exploitable', () => {
    const next = seededRandom(5)
    const game = preferenceGame(randomPreferences(6, next), null, 0.2)
    const e = regularisedEquilibrium(game)
    expect(exploitability(game, e.logPolicy)).toBeLessThan(1e-14)
    for (let k = 0; k < 20; k++) {
      const shifted = Array.from(e.policy, (p) => p * (1 + 0.2 * (next() - 0.5)))
      const s = shifted.reduce((a, b) => a + b, 0)
      const perturbed = shifted.map((p) => p / s)
      expect(exploitability(game, logOf(perturbed))).toBeGreaterThan(1e-8)
      expect(fixedPointResidual(game, perturbed)).toBeGreaterThan(1e-6)
    }
  })

  it('is μ when P is all ties, and uniform on rock-paper-scissors with uniform μ', () => {
    const ties = preferenceGame([[0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]], [0.2, 0.3, 0.5], 0.1)
    expect(Array.from(regularisedEquilibrium(ties).policy).map((p) => +p.toFixed(14))).toEqual([0.2, 0.3, 0.5])
    const rps = preferenceGame([[0.5, 0, 1], [1, 0.5, 0], [0, 1, 0.5]], null, 0.05)
    for (const p of regularisedEquilibrium(rps).policy) expect(p).toBeCloseTo(1 / 3, 14)
  })
})
