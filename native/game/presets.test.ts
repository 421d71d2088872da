import { describe, expect, it } from 'vitest'
import { regularisedEquilibrium } from './equilibrium'
import { preferenceGame } from './game'
import { solveMatrixGame } from './matrix-game'
import { bradleyTerryPreset, presets, randomPreset, restaurantPreset } from './presets'

describe('presets', () => {
  it('are all valid games', () => {
    const all = presets()
    expect(all.map((p) => p.id)).toEqual(['restaurants', 'rock-paper-scissors', 'bradley-terry', 'random-5-7'])
    for (const p of all) {
      expect(() => preferenceGame(p.P, p.mu, p.tau)).not.toThrow()
      expect(p.actions.length).toBe(p.P.length)
    }
  })

  it('restaurants: the scores rank A > B > C, the raters prefer them in a cycle, the equilibrium mixes all three', () => {
    const r = restaurantPreset()
    const [a, b, c] = r.scores!
    expect(a > b && b > c).toBe(true)
    expect(r.P[0][1]).toBeCloseTo(2 / 3, 15) // A ≻ B
    expect(r.P[1][2]).toBeCloseTo(2 / 3, 15) // B ≻ C
    expect(r.P[2][0]).toBeCloseTo(2 / 3, 15) // C ≻ A
    for (const p of solveMatrixGame(r.P).row) expect(p).toBeCloseTo(1 / 3, 14)
  })

  it('Bradley–Terry: π*_τ concentrates on the best option as τ → 0, and the maximal lottery is pure', () => {
    const bt = bradleyTerryPreset()
    const mass = [1, 0.1, 0.01, 0.001].map((tau) => regularisedEquilibrium(preferenceGame(bt.P, null, tau)).policy[0])
    for (let i = 1; i < mass.length; i++) expect(mass[i]).toBeGreaterThan(mass[i - 1])
    expect(mass.at(-1)).toBeGreaterThan(0.99)
    expect(Array.from(solveMatrixGame(bt.P).row)).toEqual([1, 0, 0, 0])
  })

  it('random: the same seed gives the same game, and its maximal lottery mixes at least three actions', () => {
    expect(randomPreset(6, 42)).toEqual(randomPreset(6, 42))
    for (const seed of [1, 2, 3, 4, 5]) {
      const game = randomPreset(5, seed)
      expect(() => preferenceGame(game.P, null, 0)).not.toThrow()
      expect(solveMatrixGame(game.P).row.filter((p) => p > 1e-9).length).toBeGreaterThanOrEqual(3)
    }
  })
})
