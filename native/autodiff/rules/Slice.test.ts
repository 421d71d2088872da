import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Slice gradient', () => {
  it('matches finite differences for unit steps and negative starts', async () => {
    const r = await checkGradient({ label: 'Slice.unit', inputs: { x: [4, 5] }, build: (b, x) => b.tanh(b.slice(x.x, [1, -3], [3, 100], [0, 1])) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences for a step of 2', async () => {
    const r = await checkGradient({ label: 'Slice.step2', inputs: { x: [4, 6] }, build: (b, x) => b.tanh(b.slice(x.x, [0], [6], [1], [2])) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences for a reversing step', async () => {
    const r = await checkGradient({ label: 'Slice.reverse', inputs: { x: [5, 3] }, build: (b, x) => b.mul(b.slice(x.x, [-1], [-6], [0], [-1]), x.x) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
