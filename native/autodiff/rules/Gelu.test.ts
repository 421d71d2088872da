import { describe, expect, it } from 'vitest'
import { DataType } from '../../onnx/dtype'
import { checkGradient } from '../gradcheck'

describe('Gelu gradient', () => {
  // ONNX Runtime has no float64 Gelu kernel: checked in float32 (step 1e-2, tolerance 5e-3).
  it('matches finite differences in float32 (exact form)', async () => {
    const r = await checkGradient({ label: 'Gelu.erf', inputs: { x: [3, 4] }, build: (b, x) => b.op('Gelu', [x.x]), dtype: DataType.float })
    expect(r.maxError).toBeLessThan(5e-3)
  })
  it('matches finite differences in float32 (tanh form)', async () => {
    const r = await checkGradient({ label: 'Gelu.tanh', inputs: { x: [3, 4] }, build: (b, x) => b.op('Gelu', [x.x], { approximate: 'tanh' }), dtype: DataType.float })
    expect(r.maxError).toBeLessThan(5e-3)
  })
})
