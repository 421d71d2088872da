import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Concat gradient', () => {
  it('matches finite differences', async () => {
    const r = await checkGradient({ label: 'Concat', inputs: { a: [2, 1, 3], b: [2, 2, 3], c: [2, 3, 3] }, build: (b, x) => b.tanh(b.concat([x.a, x.b, x.c], 1)) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
