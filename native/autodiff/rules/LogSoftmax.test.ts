import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('LogSoftmax gradient', () => {
  it('matches finite differences on the last axis', async () => {
    const r = await checkGradient({ label: 'LogSoftmax.last', inputs: { x: [2, 3, 4] }, build: (b, x) => b.logSoftmax(x.x, -1) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences on the first axis', async () => {
    const r = await checkGradient({ label: 'LogSoftmax.first', inputs: { x: [3, 4] }, build: (b, x) => b.logSoftmax(x.x, 0) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
