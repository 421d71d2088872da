import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Exp gradient', () => {
  it('matches finite differences', async () => {
    const r = await checkGradient({ label: 'Exp', inputs: { x: [2, 3] }, build: (b, x) => b.exp(x.x) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
