import { expect, test } from 'vitest'
import { align, smooth } from './series'

test('smoothing 0 is the identity and a constant stays constant at any weight', () => {
  expect(smooth([1, 5, 2], 0)).toEqual([1, 5, 2])
  smooth([3, 3, 3, 3], 0.9).forEach((v) => expect(v).toBeCloseTo(3, 12))
  const s = smooth([0, 10], 0.5)
  expect(s[0]).toBe(0)
  // acc = 0.5·0 + 0.5·10 = 5 with debias 0.75 → 6.67.
  expect(s[1]).toBeCloseTo(20 / 3, 12)
})

test('lines with different steps share one x axis', () => {
  expect(
    align([
      { label: 'a', steps: [0, 2], values: [1, 3] },
      { label: 'b', steps: [1, 2], values: [7, 8] },
    ]),
  ).toEqual([
    [0, 1, 2],
    [1, null, 3],
    [null, 7, 8],
  ])
})
