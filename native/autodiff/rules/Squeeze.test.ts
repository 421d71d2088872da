import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Squeeze gradient', () => {
  it('matches finite differences', async () => {
    const r = await checkGradient({ label: 'Squeeze', inputs: { x: [2, 1, 3, 1] }, build: (b, x) => b.tanh(b.squeeze(x.x, [1, 3])) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
