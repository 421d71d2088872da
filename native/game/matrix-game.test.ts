import { describe, expect, it } from 'vitest'
import { solveMatrixGame } from './matrix-game'
import { randomPreferences, seededRandom } from './random'
import type { Matrix } from './vector'

/** The LP optimality conditions: both strategies are distributions and the duality gap closes. */
function expectOptimal(M: Matrix, tolerance = 1e-12) {
  const s = solveMatrixGame(M)
  const sum = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0)
  expect(Math.abs(sum(s.row) - 1)).toBeLessThan(1e-14)
  expect(Math.abs(sum(s.column) - 1)).toBeLessThan(1e-14)
  for (const p of [...s.row, ...s.column]) expect(p).toBeGreaterThanOrEqual(0)
  // p guarantees at least v against every column; q concedes at most v to every row.
  for (let j = 0; j < M[0].length; j++) {
    let v = 0
    for (let i = 0; i < M.length; i++) v += s.row[i] * M[i][j]
    expect(v).toBeGreaterThanOrEqual(s.value - tolerance)
  }
  for (let i = 0; i < M.length; i++) {
    let v = 0
    for (let j = 0; j < M[0].length; j++) v += M[i][j] * s.column[j]
    expect(v).toBeLessThanOrEqual(s.value + tolerance)
  }
  expect(s.upper - s.lower).toBeLessThanOrEqual(2 * tolerance)
  return s
}

describe('solveMatrixGame', () => {
  it('gives the uniform maximal lottery of rock-paper-scissors, value ½', () => {
    const s = expectOptimal([[0.5, 0, 1], [1, 0.5, 0], [0, 1, 0.5]])
    for (const p of s.row) expect(p).toBeCloseTo(1 / 3, 14)
    expect(s.value).toBeCloseTo(0.5, 14)
  })

  it('puts all mass on a Condorcet winner', () => {
    // Action 2 beats every other action; 0 and 1 cycle with 3.
    const P = [
      [0.5, 0.8, 0.3, 0.1],
      [0.2, 0.5, 0.4, 0.9],
      [0.7, 0.6, 0.5, 0.55],
      [0.9, 0.1, 0.45, 0.5],
    ]
    const s = expectOptimal(P)
    expect(Array.from(s.row)).toEqual([0, 0, 1, 0])
    expect(s.value).toBeCloseTo(0.5, 14)
  })

  it('solves random preference games, random rectangular games and degenerate ones', () => {
    const next = seededRandom(3)
    for (let k = 0; k < 40; k++) {
      const n = 2 + (k % 9)
      const s = expectOptimal(randomPreferences(n, next))
      expect(s.value).toBeCloseTo(0.5, 12)
    }
    for (let k = 0; k < 20; k++) {
      const m = 1 + Math.floor(next() * 7)
      const c = 1 + Math.floor(next() * 7)
      expectOptimal(Array.from({ length: m }, () => Array.from({ length: c }, () => 4 * next() - 2)))
    }
    // Duplicated actions and an all-ties game: many optimal bases, none may cycle.
    expectOptimal([[0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]])
    expectOptimal([[0.5, 0.5, 0, 1], [0.5, 0.5, 0, 1], [1, 1, 0.5, 0], [0, 0, 1, 0.5]])
    // Rounded cells, as typed in the editor.
    const rounded = randomPreferences(8, next).map((row) => row.map((v) => Math.round(v * 10) / 10))
    for (let i = 0; i < 8; i++) for (let j = 0; j < i; j++) rounded[i][j] = Math.round((1 - rounded[j][i]) * 10) / 10
    expectOptimal(rounded)
  })

  it('refuses ragged and empty matrices with a sentence naming the row', () => {
    expect(() => solveMatrixGame([[1, 2], [3]])).toThrow(/Row 1 of P has 1 entries/)
    expect(() => solveMatrixGame([])).toThrow(/empty/)
  })
})
