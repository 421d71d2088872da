import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Flatten gradient', () => {
  it('matches finite differences', async () => {
    const r = await checkGradient({ label: 'Flatten', inputs: { x: [2, 3, 4] }, build: (b, x) => b.tanh(b.op('Flatten', [x.x], { axis: 2 })) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
