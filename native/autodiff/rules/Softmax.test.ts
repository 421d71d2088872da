import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Softmax gradient', () => {
  it('matches finite differences on the last axis', async () => {
    const r = await checkGradient({ label: 'Softmax.last', inputs: { x: [2, 3, 4] }, build: (b, x) => b.softmax(x.x, -1) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences on a middle axis', async () => {
    const r = await checkGradient({ label: 'Softmax.middle', inputs: { x: [2, 3, 4] }, build: (b, x) => b.softmax(x.x, 1) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
