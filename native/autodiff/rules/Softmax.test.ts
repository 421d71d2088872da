import { describe, expect, it } from 'vitest'
import { GraphBuilder } from '../../onnx/builder'
import { DataType } from '../../onnx/dtype'
import { autodiff } from '../autodiff'
import { checkGradient } from '../gradcheck'

describe('Softmax gradient', () => {
  it('matches finite differences on the last axis', async () => {
    const r = await checkGradient({ label: 'Softmax.last', inputs: { x: [2, 3, 4] }, build: (b, x) => b.softmax(x.x, -1) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences on a middle axis', async () => {
    const r = await checkGradient({ label: 'Softmax.middle', inputs: { x: [2, 3, 4] }, build: (b, x) => b.softmax(x.x, 1) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences in attention form, softmax(S)·V, with V batched and broadcast', async () => {
    for (const v of [[2, 3, 4, 5], [4, 5]]) {
      const r = await checkGradient({ label: 'Softmax.attention', inputs: { s: [2, 3, 4, 4], v }, build: (b, x) => b.matMul(b.softmax(x.s, -1), x.v) })
      expect(r.maxError).toBeLessThan(1e-6)
    }
  })
  it('matches finite differences when the probabilities have another reader besides the product', async () => {
    const r = await checkGradient({ label: 'Softmax.attention_shared', inputs: { s: [2, 4, 4], v: [2, 4, 3] }, build: (b, x) => {
      const p = b.softmax(x.s, -1)
      return b.add(b.matMul(p, x.v), b.reduceSum(p, [-1], true))
    } })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('sums over the head width instead of the sequence in attention form', () => {
    const b = GraphBuilder.create('attention')
    const s = b.input('s', DataType.float, [2, 8, 8])
    const v = b.input('v', DataType.float, [2, 8, 3])
    b.output(b.reduceSum(b.matMul(b.softmax(s, -1, 'probs'), v, 'pv'), [0, 1, 2], false, 'total'), 'loss')
    const { model } = autodiff(b.toModel(), { loss: 'loss', wrt: ['s'] })
    const mul = model.graph.nodes.filter((n) => n.opType === 'Mul' && n.name?.startsWith('grad.probs.'))
    expect(mul.map((n) => n.name)).toContain('grad.probs.do_o')
    expect(mul.map((n) => n.name)).not.toContain('grad.probs.dy_y')
  })
})
