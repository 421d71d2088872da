import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Mul gradient', () => {
  it('matches finite differences with broadcasting', async () => {
    const r = await checkGradient({ label: 'Mul', inputs: { a: [2, 3, 4], b: [1, 4] }, build: (b, x) => b.mul(x.a, x.b) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('sums both paths when a tensor is multiplied by itself', async () => {
    const r = await checkGradient({ label: 'Mul.square', inputs: { a: [3, 2] }, build: (b, x) => b.mul(x.a, x.a) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
