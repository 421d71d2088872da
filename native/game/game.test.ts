import { describe, expect, it } from 'vitest'
import { NashlabError } from '../api/errors'
import { actionNames, checkPreferenceMatrix, preferenceGame, referencePolicy } from './game'

function errorOf(fn: () => unknown): NashlabError {
  try {
    fn()
  } catch (error) {
    if (error instanceof NashlabError) return error
    throw error
  }
  throw new Error('expected a NashlabError')
}

describe('checkPreferenceMatrix', () => {
  it('accepts a matrix with P + Pᵀ = 1 within 1e-9', () => {
    expect(() => checkPreferenceMatrix([[0.5, 0.3 + 5e-10], [0.7, 0.5]])).not.toThrow()
  })

  it('names the first cell, in row-major order, whose pair does not sum to 1', () => {
    const e = errorOf(() =>
      checkPreferenceMatrix([
        [0.5, 0.2, 0.4],
        [0.8, 0.5, 0.9],
        [0.7, 0.2, 0.5],
      ]),
    )
    expect(e.code).toBe('invalid_input')
    expect(e.message).toContain('P[0][2] + P[2][0]')
    expect(e.details).toMatchObject({ cell: [0, 2] })
  })

  it('refuses a diagonal other than ½, a value outside [0, 1], and a ragged matrix', () => {
    expect(errorOf(() => checkPreferenceMatrix([[0.5, 0.5], [0.5, 0.6]])).message).toContain('P[1][1] = 0.6')
    expect(errorOf(() => checkPreferenceMatrix([[0.5, 1.2], [-0.2, 0.5]])).message).toContain('P[0][1] = 1.2')
    expect(errorOf(() => checkPreferenceMatrix([[0.5, 0.5], [0.5]])).message).toContain('Row 1 of P has 1 entries')
    expect(errorOf(() => checkPreferenceMatrix([[0.5]])).message).toContain('at least 2 actions')
  })
})

describe('referencePolicy', () => {
  it('defaults to uniform and renormalises a μ that sums to 1 within 1e-6', () => {
    expect(Array.from(referencePolicy(4))).toEqual([0.25, 0.25, 0.25, 0.25])
    const mu = referencePolicy(2, [0.3 + 1e-7, 0.7])
    expect(mu[0] + mu[1]).toBe(1)
  })

  it('refuses zeros, wrong lengths and sums other than 1', () => {
    expect(errorOf(() => referencePolicy(2, [0, 1])).message).toContain('mu[0] = 0')
    expect(errorOf(() => referencePolicy(3, [0.5, 0.5])).message).toContain('2 entries')
    expect(errorOf(() => referencePolicy(2, [0.5, 0.6])).message).toContain('sums to 1.1')
  })
})

describe('preferenceGame', () => {
  it('refuses a negative temperature and wrong action names', () => {
    expect(errorOf(() => preferenceGame([[0.5, 0.5], [0.5, 0.5]], null, -1)).details).toMatchObject({ field: 'tau' })
    expect(errorOf(() => actionNames(3, ['a'])).details).toMatchObject({ field: 'actions' })
    expect(actionNames(3)).toEqual(['A', 'B', 'C'])
  })
})
