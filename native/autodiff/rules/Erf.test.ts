import { describe, expect, it } from 'vitest'
import { DataType } from '../../onnx/dtype'
import { checkGradient } from '../gradcheck'

describe('Erf gradient', () => {
  // ONNX Runtime has no float64 Erf kernel: checked in float32 (step 1e-2, tolerance 5e-3).
  it('matches finite differences in float32', async () => {
    const r = await checkGradient({ label: 'Erf', inputs: { x: [2, 3] }, build: (b, x) => b.erf(x.x), dtype: DataType.float })
    expect(r.maxError).toBeLessThan(5e-3)
  })
})
