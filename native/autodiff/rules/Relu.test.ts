import { describe, expect, it } from 'vitest'
import type { Rng } from '../../runtime/rng'
import { checkGradient } from '../gradcheck'

describe('Relu gradient', () => {
  it('matches finite differences away from the kink', async () => {
    const r = await checkGradient({ label: 'Relu', inputs: { x: { shape: [3, 4], init: (rng: Rng) => (rng.float() < 0.5 ? -1 : 1) * (0.2 + rng.float()) } }, build: (b, x) => b.relu(x.x) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
