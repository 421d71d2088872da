import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('ReduceMean gradient', () => {
  it('matches finite differences without kept dims', async () => {
    const r = await checkGradient({ label: 'ReduceMean', inputs: { x: [2, 3, 4] }, build: (b, x) => b.mul(b.reduceMean(x.x, [2], false), b.reduceMean(x.x, [2], false)) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences with negative axes in opset 17 (attribute form)', async () => {
    const r = await checkGradient({ label: 'ReduceMean.opset17', inputs: { x: [2, 3, 4] }, build: (b, x) => b.tanh(b.reduceMean(x.x, [-1, 0], true)), opset: 17 })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
