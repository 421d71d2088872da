import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('ReduceMax gradient', () => {
  it('matches finite differences', async () => {
    const r = await checkGradient({ label: 'ReduceMax', inputs: { x: [3, 4] }, build: (b, x) => b.reduceMax(x.x, [1], false) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
