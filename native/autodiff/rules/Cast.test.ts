import { describe, expect, it } from 'vitest'
import { DataType } from '../../onnx/dtype'
import type { Rng } from '../../runtime/rng'
import { checkGradient } from '../gradcheck'

describe('Cast gradient', () => {
  it('matches finite differences from float32 to float64', async () => {
    const r = await checkGradient({ label: 'Cast.float', inputs: { x: [2, 3] }, build: (b, x) => b.tanh(b.cast(x.x, DataType.double)), dtype: DataType.float })
    expect(r.maxError).toBeLessThan(5e-3)
  })
  it('stops the gradient at a cast to an integer type', async () => {
    const r = await checkGradient({ label: 'Cast.int', inputs: { x: { shape: [6], init: (rng: Rng) => 3 * rng.float() + 0.3 } }, build: (b, x) => b.mul(x.x, b.cast(b.cast(x.x, DataType.int64), DataType.double)) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
