import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Expand gradient', () => {
  it('matches finite differences when broadcasting up', async () => {
    const r = await checkGradient({ label: 'Expand', inputs: { x: [3, 1] }, build: (b, x) => b.expand(x.x, [2, 3, 4]) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
