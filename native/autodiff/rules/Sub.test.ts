import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Sub gradient', () => {
  it('matches finite differences with a broadcast subtrahend', async () => {
    const r = await checkGradient({ label: 'Sub', inputs: { a: [2, 3], b: [3] }, build: (b, x) => b.sub(x.a, x.b) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
