import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { GraphBuilder } from '../onnx/builder'
import { DataType } from '../onnx/dtype'
import { defaultOpset } from '../onnx/model'
import { cpuSession } from '../onnx/session'
import { autodiff } from './autodiff'
import { checkGradient } from './gradcheck'
import { gradientRules } from './registry'

function linearModel(opset?: number) {
  const b = GraphBuilder.create('linear', opset)
  const x = b.input('x', DataType.float, ['batch', 3])
  const w = b.initializer('w', DataType.float, [3, 2], [1, 2, 3, 4, 5, 6])
  const c = b.initializer('c', DataType.float, [2], [0.5, -0.5])
  const y = b.add(b.matMul(x, w, 'proj'), c, 'bias')
  b.output(y, 'y')
  b.output(b.reduceMean(b.mul(y, y), [0, 1], false, 'mse'), 'loss')
  return b.toModel()
}

describe('autodiff', () => {
  it('turns trained initializers into inputs and adds <name>_grad outputs, keeping the original ones', async () => {
    const { model, gradients } = autodiff(linearModel(), { loss: 'loss', wrt: 'all' })
    expect(gradients.map((g) => [g.tensor, g.gradient, g.reached])).toEqual([['w', 'w_grad', true], ['c', 'c_grad', true]])
    expect(model.graph.inputs.map((i) => i.name)).toEqual(['x', 'w', 'c'])
    expect(model.graph.outputs.map((o) => o.name)).toEqual(['y', 'loss', 'w_grad', 'c_grad'])
    expect(model.graph.initializers.map((t) => t.name)).not.toContain('w')
    // Symbolic batch: the same graph runs at two batch sizes.
    const session = await cpuSession(model)
    for (const batch of [1, 4]) {
      const x = Float32Array.from({ length: batch * 3 }, (_, i) => i / 7)
      const out = await session.run({
        x: new ort.Tensor('float32', x, [batch, 3]),
        w: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]),
        c: new ort.Tensor('float32', Float32Array.from([0.5, -0.5]), [2]),
      })
      // loss = mean(y²) → dc = 2·mean over rows of y (per column) / 2 columns.
      const y = out.y.data as Float32Array
      const dc = [0, 1].map((j) => (2 / (batch * 2)) * Array.from({ length: batch }, (_, r) => y[r * 2 + j]).reduce((a, v) => a + v, 0))
      expect(Array.from(out.c_grad.data as Float32Array).map((v) => Number(v.toFixed(4)))).toEqual(dc.map((v) => Number(v.toFixed(4))))
    }
  })

  it('fails on an op with no rule, naming the op type and the node', () => {
    const b = GraphBuilder.create('sine')
    const x = b.input('x', DataType.float, [3])
    b.output(b.reduceSum(b.scope('block0', () => b.op('Sin', [x], {}, 'wave')), [0], false), 'loss')
    expect(() => autodiff(b.toModel(), { loss: 'loss', wrt: ['x'] })).toThrow('No gradient rule for op Sin (Sin node "block0.wave")')
  })

  it('names a missing tensor or loss', () => {
    expect(() => autodiff(linearModel(), { loss: 'loss', wrt: ['nope'] })).toThrow('Tensor "nope" is neither a graph input nor an initializer of the model.')
    expect(() => autodiff(linearModel(), { loss: 'nope', wrt: ['w'] })).toThrow('The model has no tensor named "nope" to use as the loss.')
    expect(() => autodiff(linearModel(), { loss: 'y', wrt: ['w'] })).toThrow('must be a scalar')
  })

  it('lists ops without gradients explicitly', () => {
    for (const op of ['Shape', 'Range', 'ConstantOfShape', 'Equal', 'Less', 'Not', 'Constant', 'Size', 'ArgMax']) {
      expect(gradientRules[op]?.kind).toBe('none')
    }
  })

  it('stops gradients where asked and reports tensors the loss does not reach', async () => {
    const b = GraphBuilder.create('stop')
    const x = b.input('x', DataType.float, [2])
    const unused = b.input('unused', DataType.float, [2])
    const frozen = b.identity(b.mul(x, x, 'square'), 'frozen')
    b.output(b.reduceSum(b.mul(frozen, x, 'product'), [0], false), 'loss')
    b.output(unused, 'unused_out')
    const { model, gradients } = autodiff(b.toModel(), { loss: 'loss', wrt: ['x', 'unused'], stopGradient: ['frozen'] })
    expect(gradients.find((g) => g.tensor === 'unused')?.reached).toBe(false)
    const out = await (await cpuSession(model)).run({
      x: new ort.Tensor('float32', Float32Array.from([2, 3]), [2]),
      unused: new ort.Tensor('float32', Float32Array.from([1, 1]), [2]),
    })
    // loss = sg(x²)·x → dx = x² (not 3x²).
    expect(Array.from(out.x_grad.data as Float32Array)).toEqual([4, 9])
    expect(Array.from(out.unused_grad.data as Float32Array)).toEqual([0, 0])
  })

  it('raises opset 14 to 16 for the embedding gradient (ScatterND with add)', async () => {
    const b = GraphBuilder.create('embedding', 14)
    const ids = b.input('ids', DataType.int64, [4])
    const table = b.initializer('table', DataType.float, [3, 2], [1, 2, 3, 4, 5, 6])
    b.output(b.reduceSum(b.gather(table, ids), [0, 1], false), 'loss')
    const result = autodiff(b.toModel(), { loss: 'loss', wrt: ['table'] })
    expect(result.opsetRaised).toEqual({ from: 14, to: 16 })
    expect(defaultOpset(result.model)).toBe(16)
    const out = await (await cpuSession(result.model)).run({
      ids: new ort.Tensor('int64', BigInt64Array.from([0n, 2n, 2n, -1n]), [4]),
      table: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]),
    })
    expect(Array.from(out.table_grad.data as Float32Array)).toEqual([1, 1, 0, 0, 3, 3])
  })

  it('differentiates through attention mask plumbing (Shape, Range, ConstantOfShape, Equal, Where) in float64', async () => {
    const r = await checkGradient({
      label: 'plumbing.causal',
      inputs: { scores: [2, 4, 4] },
      build: (b, x) => {
        const t = b.gather(b.shape(x.scores), b.scalar(2, DataType.int64))
        const rows = b.op('Range', [b.scalar(0, DataType.int64), t, b.scalar(1, DataType.int64)])
        const ones = b.op('ConstantOfShape', [b.concat([b.unsqueeze(t, [0]), b.unsqueeze(t, [0])], 0)], { value: { name: 'one', dataType: DataType.double, dims: [1], data: new Uint8Array(new Float64Array([1]).buffer) } })
        const lower = b.trilu(ones, false)
        const masked = b.where(b.equal(lower, b.scalar(0, DataType.double)), b.scalar(-1e9, DataType.double), x.scores)
        const p = b.softmax(masked, -1)
        const flat = b.reshape(p, b.concat([b.ints([-1]), b.unsqueeze(t, [0])], 0))
        return b.mul(flat, b.cast(b.unsqueeze(rows, [0]), DataType.double))
      },
    })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})

describe('autodiff on graphs with ops it does not know', () => {
  it('differentiates around them, and names them when the gradient must pass through', () => {
    const b = GraphBuilder.create('foreign')
    const x = b.input('x', DataType.float, [3])
    const w = b.initializer('w', DataType.float, [3], [1, 2, 3])
    const loss = b.reduceSum(b.mul(x, w), [0], false, 'dot')
    b.output(loss, 'loss')
    const model = b.toModel()
    // A side branch through a custom-domain op whose output type nobody declared.
    model.graph.nodes.push({ opType: 'Mystery', domain: 'com.example', name: 'side.mystery', inputs: ['x'], outputs: ['side'], attributes: [] })
    model.graph.nodes.push({ opType: 'Relu', name: 'side.relu', inputs: ['side'], outputs: ['side_relu'], attributes: [] })
    model.graph.outputs.push({ name: 'side_relu' })
    expect(autodiff(model, { loss: 'loss', wrt: ['w'] }).gradients[0].reached).toBe(true)
    model.graph.nodes.push({ opType: 'Mystery', domain: 'com.example', name: 'main.mystery', inputs: ['loss'], outputs: ['odd'], attributes: [] })
    model.graph.valueInfo.push({ name: 'odd', type: { tensor: { elemType: DataType.float, shape: [] } } })
    model.graph.outputs.push({ name: 'odd' })
    expect(() => autodiff(model, { loss: 'odd', wrt: ['w'] })).toThrow('No gradient rule for op Mystery (com.example.Mystery node "main.mystery")')
    // Through an undeclared foreign output into typed ops again: still a loud error, never a silent zero.
    model.graph.nodes.push({ opType: 'Mystery', domain: 'com.example', name: 'hidden.mystery', inputs: ['loss'], outputs: ['hidden'], attributes: [] })
    model.graph.nodes.push({ opType: 'Neg', name: 'hidden.neg', inputs: ['hidden'], outputs: ['visible'], attributes: [] })
    model.graph.valueInfo.push({ name: 'visible', type: { tensor: { elemType: DataType.float, shape: [] } } })
    model.graph.outputs.push({ name: 'visible' })
    expect(() => autodiff(model, { loss: 'visible', wrt: ['w'] })).toThrow('The gradient must flow through "hidden" (output of com.example.Mystery node "hidden.mystery")')
  })
})
