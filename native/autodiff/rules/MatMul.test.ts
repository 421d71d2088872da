import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('MatMul gradient', () => {
  it('matches finite differences for rows times a weight matrix', async () => {
    const r = await checkGradient({ label: 'MatMul.weight', inputs: { a: [2, 3, 4], w: [4, 5] }, build: (b, x) => b.matMul(x.a, x.w) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences with broadcast batch dims', async () => {
    const r = await checkGradient({ label: 'MatMul.batched', inputs: { a: [2, 1, 3, 4], w: [3, 4, 2] }, build: (b, x) => b.matMul(x.a, x.w) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences for a vector times a matrix', async () => {
    const r = await checkGradient({ label: 'MatMul.vecmat', inputs: { a: [4], w: [2, 4, 3] }, build: (b, x) => b.matMul(x.a, x.w) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences for a matrix times a vector', async () => {
    const r = await checkGradient({ label: 'MatMul.matvec', inputs: { a: [2, 3, 4], w: [4] }, build: (b, x) => b.matMul(x.a, x.w) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences for a dot product', async () => {
    const r = await checkGradient({ label: 'MatMul.dot', inputs: { a: [4], w: [4] }, build: (b, x) => b.matMul(x.a, x.w) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
