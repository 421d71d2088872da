import { describe, expect, it } from 'vitest'
import { sampleIterates } from './sampling'

describe('sampleIterates', () => {
  it('keeps every iterate when the series is short', () => {
    expect(Array.from(sampleIterates(5, 100))).toEqual([0, 1, 2, 3, 4, 5])
  })

  it('keeps 0 and T, early iterates for log axes and evenly spaced late ones, sorted and unique', () => {
    const kept = Array.from(sampleIterates(100_000, 600))
    expect(kept[0]).toBe(0)
    expect(kept.at(-1)).toBe(100_000)
    expect(kept.length).toBeLessThanOrEqual(600)
    expect(kept.length).toBeGreaterThan(400)
    for (let i = 1; i < kept.length; i++) expect(kept[i]).toBeGreaterThan(kept[i - 1])
    expect(kept.slice(0, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    const late = kept.filter((t) => t > 50_000)
    expect(late.length).toBeGreaterThan(100)
  })
})
