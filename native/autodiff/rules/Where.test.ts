import { describe, expect, it } from 'vitest'
import { DataType } from '../../onnx/dtype'
import { checkGradient } from '../gradcheck'

describe('Where gradient', () => {
  it('matches finite differences with a broadcast condition and branches', async () => {
    const r = await checkGradient({ label: 'Where', inputs: { c: { shape: [2, 3], dtype: DataType.bool, data: [1, 0, 1, 0, 0, 1] }, a: [2, 3], b: [3] }, build: (b, x) => b.where(x.c, x.a, x.b) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
