import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Identity gradient', () => {
  it('matches finite differences', async () => {
    const r = await checkGradient({ label: 'Identity', inputs: { x: [2, 3] }, build: (b, x) => b.mul(b.identity(x.x), x.x) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
