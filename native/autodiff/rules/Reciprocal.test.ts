import { describe, expect, it } from 'vitest'
import type { Rng } from '../../runtime/rng'
import { checkGradient } from '../gradcheck'

describe('Reciprocal gradient', () => {
  it('matches finite differences', async () => {
    const r = await checkGradient({ label: 'Reciprocal', inputs: { x: { shape: [2, 3], init: (rng: Rng) => (rng.float() < 0.5 ? -1 : 1) * (0.2 + rng.float()) } }, build: (b, x) => b.reciprocal(x.x) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
