import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Transpose gradient', () => {
  it('matches finite differences', async () => {
    const r = await checkGradient({ label: 'Transpose', inputs: { x: [2, 3, 4], y: [4, 2, 3] }, build: (b, x) => b.mul(b.transpose(x.x, [2, 0, 1]), x.y) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
