import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Gemm gradient', () => {
  it('matches finite differences with transA=false, transB=false', async () => {
    const r = await checkGradient({ label: 'Gemm.false.false', inputs: { a: [3, 4], w: [4, 5], c: [5] }, build: (b, x) => b.gemm(x.a, x.w, x.c, { transA: false, transB: false, alpha: 0.7, beta: 1.3 }) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences with transA=false, transB=true', async () => {
    const r = await checkGradient({ label: 'Gemm.false.true', inputs: { a: [3, 4], w: [5, 4], c: [5] }, build: (b, x) => b.gemm(x.a, x.w, x.c, { transA: false, transB: true, alpha: 0.7, beta: 1.3 }) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences with transA=true, transB=false', async () => {
    const r = await checkGradient({ label: 'Gemm.true.false', inputs: { a: [4, 3], w: [4, 5], c: [5] }, build: (b, x) => b.gemm(x.a, x.w, x.c, { transA: true, transB: false, alpha: 0.7, beta: 1.3 }) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences with transA=true, transB=true', async () => {
    const r = await checkGradient({ label: 'Gemm.true.true', inputs: { a: [4, 3], w: [5, 4], c: [5] }, build: (b, x) => b.gemm(x.a, x.w, x.c, { transA: true, transB: true, alpha: 0.7, beta: 1.3 }) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences with a column bias and no scaling', async () => {
    const r = await checkGradient({ label: 'Gemm.column', inputs: { a: [3, 4], w: [4, 2], c: [3, 1] }, build: (b, x) => b.gemm(x.a, x.w, x.c) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
