import { describe, expect, it } from 'vitest'
import { DataType } from '../../onnx/dtype'
import { checkGradient } from '../gradcheck'

describe('LayerNormalization gradient', () => {
  // ONNX Runtime has no float64 LayerNormalization kernel: checked in float32 (step 1e-2, tolerance 5e-3);
  // the float64 check of the same math is the decomposed RMSNorm/LayerNorm in the tiny-GPT test.
  it('matches finite differences in float32 over the last axis', async () => {
    const r = await checkGradient({ label: 'LayerNormalization.last', inputs: { x: [2, 3, 5], scale: [5], bias: [5] }, build: (b, x) => b.node('LayerNormalization', [x.x, x.scale, x.bias], { epsilon: 1e-5 }, {})[0], dtype: DataType.float })
    expect(r.maxError).toBeLessThan(5e-3)
  })
  it('matches finite differences in float32 over the last two axes, without bias', async () => {
    const r = await checkGradient({ label: 'LayerNormalization.two', inputs: { x: [2, 3, 4], scale: [3, 4] }, build: (b, x) => b.node('LayerNormalization', [x.x, x.scale], { axis: 1 }, {})[0], dtype: DataType.float })
    expect(r.maxError).toBeLessThan(5e-3)
  })
})
