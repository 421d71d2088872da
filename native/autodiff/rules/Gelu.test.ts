import { describe, expect, it } from 'vitest'
import * as ort from 'onnxruntime-node'
import { GraphBuilder } from '../../onnx/builder'
import { DataType } from '../../onnx/dtype'
import { cpuSession } from '../../onnx/session'
import { autodiff } from '../autodiff'
import { checkGradient } from '../gradcheck'

/** erf by its Maclaurin series in float64 (|s| ≤ 4.5: error below 1e-9), ±1 beyond (|1 − erf| < 3e-10). */
function erf64(s: number): number {
  if (Math.abs(s) > 4.5) return Math.sign(s)
  let term = s
  let sum = s
  for (let n = 1; n < 200; n++) {
    term *= (-s * s) / n
    sum += term / (2 * n + 1)
  }
  return (2 / Math.sqrt(Math.PI)) * sum
}

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
  it('gives the exact slope Φ(x) + x·φ(x) to float32 rounding, also at 0 and where e^(x²/2) overflows', async () => {
    const xs = [0, -0, 1e-30, -1e-30, ...Array.from({ length: 241 }, (_, i) => -12 + i * 0.1), 13.5, -13.5, 20, -20, 1e4, -1e4]
    const b = GraphBuilder.create('gelu_slope', 21)
    const x = b.input('x', DataType.float, [xs.length])
    b.output(b.reduceSum(b.op('Gelu', [x]), [0], false, 'total'), 'loss')
    const { model } = autodiff(b.toModel(), { loss: 'loss', wrt: ['x'] })
    const input = Float32Array.from(xs)
    const out = await (await cpuSession(model, { intraOpNumThreads: 1 })).run({ x: new ort.Tensor('float32', input, [xs.length]) })
    const slope = out.x_grad.data as Float32Array
    let worst = 0
    input.forEach((v, i) => {
      const exact = 0.5 * (1 + erf64(v / Math.SQRT2)) + (v * Math.exp((-v * v) / 2)) / Math.sqrt(2 * Math.PI)
      worst = Math.max(worst, Math.abs(slope[i] - exact))
    })
    expect(worst).toBeLessThan(1e-6)
  })
})
