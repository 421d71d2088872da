import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { GraphBuilder, type Value } from '../../onnx/builder'
import { DataType } from '../../onnx/dtype'
import type { Dim } from '../../onnx/model'
import { cpuSession } from '../../onnx/session'
import { Rng } from '../../runtime/rng'
import { autodiff } from '../autodiff'
import { checkGradient } from '../gradcheck'

/** Loss Σ LN(x)·probe and its gradients, with the fused op in float32 or decomposed in float64. */
async function gradients(fused: boolean, rows: Dim, data: { x: number[]; scale: number[]; bias: number[]; probe: number[] }) {
  const dtype = fused ? DataType.float : DataType.double
  const b = GraphBuilder.create('ln', 21)
  const x = b.input('x', dtype, [rows, 4, 8])
  const scale = b.input('scale', dtype, [8])
  const bias = b.input('bias', dtype, [8])
  const probe = b.input('probe', dtype, [rows, 4, 8])
  let y: Value
  if (fused) y = b.node('LayerNormalization', [x, scale, bias], { epsilon: 1e-5 }, {})[0]
  else {
    const centered = b.sub(x, b.reduceMean(x, [-1], true))
    const variance = b.reduceMean(b.mul(centered, centered), [-1], true)
    y = b.add(b.mul(b.div(centered, b.sqrt(b.add(variance, b.scalar(1e-5, dtype)))), scale), bias)
  }
  b.output(b.reduceSum(b.mul(y, probe), [0, 1, 2], false, 'total'), 'loss')
  const { model } = autodiff(b.toModel(), { loss: 'loss', wrt: ['x', 'scale', 'bias'] })
  const n = data.x.length / 32
  const t = (v: number[], shape: number[]) => (fused ? new ort.Tensor('float32', Float32Array.from(v), shape) : new ort.Tensor('float64', Float64Array.from(v), shape))
  const out = await (await cpuSession(model, { intraOpNumThreads: 1 })).run({ x: t(data.x, [n, 4, 8]), scale: t(data.scale, [8]), bias: t(data.bias, [8]), probe: t(data.probe, [n, 4, 8]) })
  return ['x_grad', 'scale_grad', 'bias_grad'].map((k) => Array.from(out[k].data as Float32Array | Float64Array))
}

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
  it('matches the float64 gradient of the decomposed norm to float32 rounding, with static and with symbolic rows', async () => {
    const rng = Rng.fromSeed(5)
    // Rows with means up to 20 standard deviations away from 0.
    const x = Array.from({ length: 96 }, (_, i) => 20 * Math.sin(Math.floor(i / 8)) + rng.normal())
    const data = { x, scale: Array.from({ length: 8 }, () => 1 + rng.normal()), bias: Array.from({ length: 8 }, () => rng.normal()), probe: Array.from({ length: 96 }, () => rng.normal()) }
    const exact = await gradients(false, 3, data)
    for (const rows of [3, 'rows']) {
      const fused = await gradients(true, rows, data)
      const errors = fused.map((g, k) => Math.max(...g.map((v, i) => Math.abs(v - exact[k][i]))) / Math.max(...exact[k].map(Math.abs)))
      expect({ rows, worst: Math.max(...errors) < 2e-5 }).toEqual({ rows, worst: true })
    }
  })
})
