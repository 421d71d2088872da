import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Reshape gradient', () => {
  it('matches finite differences', async () => {
    const r = await checkGradient({ label: 'Reshape', inputs: { x: [2, 3, 4] }, build: (b, x) => b.mul(b.reshape(x.x, [4, -1]), b.reshape(x.x, [4, 6])) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
