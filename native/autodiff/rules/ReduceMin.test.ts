import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('ReduceMin gradient', () => {
  it('matches finite differences', async () => {
    const r = await checkGradient({ label: 'ReduceMin', inputs: { x: [3, 4] }, build: (b, x) => b.reduce('ReduceMin', x.x, [0], true) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
