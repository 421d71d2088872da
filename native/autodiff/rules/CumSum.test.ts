import { describe, expect, it } from 'vitest'
import { DataType } from '../../onnx/dtype'
import { checkGradient } from '../gradcheck'

describe('CumSum gradient', () => {
  it('matches finite differences forwards', async () => {
    const r = await checkGradient({ label: 'CumSum', inputs: { x: [3, 4] }, build: (b, x) => b.tanh(b.op('CumSum', [x.x, b.scalar(1, DataType.int64)])) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences reversed and exclusive', async () => {
    const r = await checkGradient({ label: 'CumSum.reverse', inputs: { x: [3, 4] }, build: (b, x) => b.tanh(b.op('CumSum', [x.x, b.scalar(0, DataType.int64)], { reverse: 1, exclusive: 1 })) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
