import { describe, expect, it } from 'vitest'
import { checkGradient } from '../gradcheck'

describe('Add gradient', () => {
  it('matches finite differences, with broadcasting on both sides', async () => {
    const r = await checkGradient({ label: 'Add', inputs: { a: [3, 1, 4], b: [2, 1] }, build: (b, x) => b.add(x.a, x.b) })
    expect(r.maxError).toBeLessThan(1e-6)
  })

  it('sums over missing leading axes (a bias row, a position table) as a product with ones', async () => {
    const r = await checkGradient({ label: 'Add leading', inputs: { x: [2, 3, 5], bias: [5], table: [3, 5] }, build: (b, x) => b.add(b.add(x.x, x.bias), x.table) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
