import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('ReduceSumSquare gradient', () => {
  it('matches finite differences', async () => {
    const r = await checkGradient({ label: 'ReduceSumSquare', inputs: { x: [3, 4] }, build: (b, x) => b.reduce('ReduceSumSquare', x.x, [1], false) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
