import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Sum gradient', () => {
  it('matches finite differences with broadcasting', async () => {
    const r = await checkGradient({ label: 'Sum', inputs: { a: [2, 3], b: [3], c: [2, 1] }, build: (b, x) => b.sum([x.a, x.b, x.c]) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
