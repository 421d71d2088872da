import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Split gradient', () => {
  it('matches finite differences, with an output that receives no gradient', async () => {
    const r = await checkGradient({ label: 'Split', inputs: { x: [2, 6] }, build: (b, x) => {
      const [p, , r] = b.split(x.x, [1, 2, 3], 1)
      return b.concat([b.mul(p, p), b.tanh(r)], 1)
    } })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
