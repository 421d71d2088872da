import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Sigmoid gradient', () => {
  it('matches finite differences', async () => {
    const r = await checkGradient({ label: 'Sigmoid', inputs: { x: [2, 3] }, build: (b, x) => b.sigmoid(x.x) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
