import { describe, expect, it } from 'vitest'
import { DataType } from '../../onnx/dtype'
import { checkGradient } from '../gradcheck'

describe('GatherElements gradient', () => {
  it('accumulates repeated indices', async () => {
    const r = await checkGradient({ label: 'GatherElements', inputs: { x: [3, 4], ids: { shape: [3, 2], dtype: DataType.int64, data: [0, 3, 1, 1, -1, 2] } }, build: (b, x) => b.tanh(b.op('GatherElements', [x.x, x.ids], { axis: 1 })) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
