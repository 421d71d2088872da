import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Unsqueeze gradient', () => {
  it('matches finite differences', async () => {
    const r = await checkGradient({ label: 'Unsqueeze', inputs: { x: [2, 3] }, build: (b, x) => b.mul(b.unsqueeze(x.x, [0, 2]), b.unsqueeze(x.x, [0, 2])) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
