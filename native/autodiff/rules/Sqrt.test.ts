import { describe, expect, it } from 'vitest'
import type { Rng } from '../../runtime/rng'
import { checkGradient } from '../gradcheck'

describe('Sqrt gradient', () => {
  it('matches finite differences', async () => {
    const r = await checkGradient({ label: 'Sqrt', inputs: { x: { shape: [2, 3], init: (rng: Rng) => 0.2 + 2 * rng.float() } }, build: (b, x) => b.sqrt(x.x) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
