import { describe, expect, it } from 'vitest'
import { constantSchedule, cosineSchedule, linearSchedule } from './schedule'

describe('learning-rate schedules', () => {
  it('warm up linearly, then decay to the floor', () => {
    const cos = cosineSchedule(1e-3, 10, 110, 1e-4)
    expect(cos(0)).toBeCloseTo(1e-4, 12)
    expect(cos(9)).toBeCloseTo(1e-3, 12)
    expect(cos(60)).toBeCloseTo(5.5e-4, 12)
    expect(cos(110)).toBe(1e-4)
    const lin = linearSchedule(1, 0, 4)
    expect([0, 1, 2, 3, 4].map(lin)).toEqual([1, 0.75, 0.5, 0.25, 0])
    expect(constantSchedule(3)(1000)).toBe(3)
  })
})
