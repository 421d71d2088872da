import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Tanh gradient', () => {
  it('matches finite differences', async () => {
    const r = await checkGradient({ label: 'Tanh', inputs: { x: [2, 3] }, build: (b, x) => b.tanh(x.x) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
