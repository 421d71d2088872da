import { describe, expect, it } from 'vitest'
import type { Rng } from '../../runtime/rng'
import { DataType } from '../../onnx/dtype'
import { checkGradient } from '../gradcheck'

describe('Pow gradient', () => {
  it('matches finite differences for a constant exponent 3', async () => {
    const r = await checkGradient({ label: 'Pow.cube', inputs: { x: [2, 3] }, build: (b, x) => b.pow(x.x, b.scalarLike(3, x.x)) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences for exponent 2', async () => {
    const r = await checkGradient({ label: 'Pow.square', inputs: { x: [4] }, build: (b, x) => b.pow(x.x, b.scalarLike(2, x.x)) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences for exponent 0.5', async () => {
    const r = await checkGradient({ label: 'Pow.sqrt', inputs: { x: { shape: [4], init: (rng: Rng) => 0.2 + 2 * rng.float() } }, build: (b, x) => b.pow(x.x, b.scalarLike(0.5, x.x)) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences for a trained, broadcast exponent', async () => {
    const r = await checkGradient({ label: 'Pow.trained', inputs: { x: { shape: [2, 3], init: (rng: Rng) => 0.2 + 2 * rng.float() }, e: [3] }, build: (b, x) => b.pow(x.x, x.e) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences for an integer exponent tensor', async () => {
    const r = await checkGradient({ label: 'Pow.int', inputs: { x: [3], e: { shape: [], dtype: DataType.int64, data: [3] } }, build: (b, x) => b.pow(x.x, x.e) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
