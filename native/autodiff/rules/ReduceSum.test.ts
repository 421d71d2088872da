import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('ReduceSum gradient', () => {
  it('matches finite differences without kept dims', async () => {
    const r = await checkGradient({ label: 'ReduceSum.drop', inputs: { x: [2, 3, 4] }, build: (b, x) => b.reduceSum(b.tanh(x.x), [1], false) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences with kept dims over two axes', async () => {
    const r = await checkGradient({ label: 'ReduceSum.keep', inputs: { x: [2, 3, 4] }, build: (b, x) => b.reduceSum(b.tanh(x.x), [0, 2], true) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences over all axes (empty axes)', async () => {
    const r = await checkGradient({ label: 'ReduceSum.all', inputs: { x: [2, 3] }, build: (b, x) => b.op('ReduceSum', [b.mul(x.x, x.x)], { keepdims: 0 }) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
