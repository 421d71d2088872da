import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { GraphBuilder } from '../../onnx/builder'
import { DataType } from '../../onnx/dtype'
import { cpuSession } from '../../onnx/session'
import { autodiff } from '../autodiff'
import { checkGradient } from '../gradcheck'

describe('Dropout gradient', () => {
  it('is the identity in inference mode (finite differences)', async () => {
    const r = await checkGradient({ label: 'Dropout.inference', inputs: { x: [3, 4] }, build: (b, x) => b.tanh(b.op('Dropout', [x.x, b.scalar(0.3, DataType.double)])) })
    expect(r.maxError).toBeLessThan(1e-6)
  })

  it('scales the kept elements by 1/(1 − ratio) in training mode', async () => {
    // The mask is random on every run, so this checks dX = dY·mask/(1 − ratio) within one run.
    const b = GraphBuilder.create('dropout')
    const x = b.input('x', DataType.float, [64])
    const [y, mask] = b.node('Dropout', [x, b.scalar(0.25), b.constant(DataType.bool, [], [1])], {}, { outputCount: 2 })
    b.output(b.reduceSum(b.mul(y, x), [0], false), 'loss')
    b.output(mask, 'mask')
    const { model } = autodiff(b.toModel(), { loss: 'loss', wrt: ['x'] })
    const data = Float32Array.from({ length: 64 }, (_, i) => 1 + i / 64)
    const out = await (await cpuSession(model)).run({ x: new ort.Tensor('float32', data, [64]) })
    const m = out.mask.data as Uint8Array
    const g = out.x_grad.data as Float32Array
    // loss = Σ x²·mask/(1 − p): gradient 2x·mask/(1 − p).
    for (let i = 0; i < 64; i++) expect(g[i]).toBeCloseTo((2 * data[i] * m[i]) / 0.75, 4)
    expect(m.some((v) => v === 0) && m.some((v) => v === 1)).toBe(true)
  })
})
