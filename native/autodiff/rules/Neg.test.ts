import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Neg gradient', () => {
  it('matches finite differences', async () => {
    const r = await checkGradient({ label: 'Neg', inputs: { x: [5] }, build: (b, x) => b.neg(x.x) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
