import { describe, expect, it } from 'vitest'
import type { Rng } from '../../runtime/rng'
import { checkGradient } from '../gradcheck'

describe('Div gradient', () => {
  it('matches finite differences with a broadcast divisor', async () => {
    const r = await checkGradient({ label: 'Div', inputs: { a: [3, 4], b: { shape: [4], init: (rng: Rng) => (rng.float() < 0.5 ? -1 : 1) * (0.2 + rng.float()) } }, build: (b, x) => b.div(x.a, x.b) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
