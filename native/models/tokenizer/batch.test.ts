import { describe, expect, it } from 'vitest'
import { padBatch, positionIds, truncateRows } from './batch'

describe('batches of ids', () => {
  const rows = [[5, 6, 7], [8], []]

  it('pads on the right for training and on the left for generation, with a mask and lengths', () => {
    const right = padBatch(rows, 0)
    expect([right.batch, right.width]).toEqual([3, 3])
    expect(Array.from(right.ids)).toEqual([5, 6, 7, 8, 0, 0, 0, 0, 0])
    expect(Array.from(right.mask)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0])
    expect(Array.from(right.lengths)).toEqual([3, 1, 0])
    const left = padBatch(rows, 9, { side: 'left', width: 4 })
    expect(Array.from(left.ids)).toEqual([9, 5, 6, 7, 9, 9, 9, 8, 9, 9, 9, 9])
    expect(Array.from(left.mask)).toEqual([0, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0])
  })

  it('refuses a row wider than the width asked for', () => {
    expect(() => padBatch(rows, 0, { width: 2 })).toThrow(/3 tokens does not fit a padded width of 2/)
  })

  it('truncates keeping either end', () => {
    expect(truncateRows([[1, 2, 3, 4], [5]], 2, 'end')).toEqual([[3, 4], [5]])
    expect(truncateRows([[1, 2, 3, 4], [5]], 2, 'start')).toEqual([[1, 2], [5]])
  })

  it('numbers real tokens from 0 in each row, so left padding does not shift positions', () => {
    const left = padBatch(rows, 0, { side: 'left' })
    expect(Array.from(positionIds(left.mask, left.batch, left.width))).toEqual([0, 1, 2, 0, 0, 0, 0, 0, 0])
  })
})
