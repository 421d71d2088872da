import { describe, expect, it } from 'vitest'
import { DataType } from '../../onnx/dtype'
import { checkGradient } from '../gradcheck'

describe('Trilu gradient', () => {
  it('matches finite differences for the lower triangle', async () => {
    const r = await checkGradient({ label: 'Trilu.lower', inputs: { x: [2, 4, 4] }, build: (b, x) => b.tanh(b.trilu(x.x, false)) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences for the upper triangle shifted by k', async () => {
    const r = await checkGradient({ label: 'Trilu.upper', inputs: { x: [3, 5] }, build: (b, x) => b.tanh(b.trilu(x.x, true, b.scalar(1, DataType.int64))) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
