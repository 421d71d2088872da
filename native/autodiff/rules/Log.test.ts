import { describe, expect, it } from 'vitest'
import type { Random } from '../../models/random'
import { checkGradient } from '../gradcheck'

describe('Log gradient', () => {
  it('matches finite differences', async () => {
    const r = await checkGradient({ label: 'Log', inputs: { x: { shape: [2, 3], init: (rng: Random) => 0.2 + 2 * rng.uniform() } }, build: (b, x) => b.log(x.x) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
