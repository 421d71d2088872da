import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { GraphBuilder, type Value } from './builder'
import { DataType } from './dtype'
import { inferGraph } from './infer'
import { cpuSession } from './session'

/** Every value the builder inferred, checked against the shapes ONNX Runtime actually produces. */
async function expectShapesMatchRuntime(b: GraphBuilder, values: Value[], feeds: Record<string, ort.Tensor>) {
  for (const v of values) if (!b.graph.outputs.some((o) => o.name === v.name)) b.output(v)
  const session = await cpuSession(b.toModel(), { graphOptimizationLevel: 'disabled' })
  const out = await session.run(feeds)
  for (const v of values) {
    expect({ name: v.name, dims: out[v.name].dims }).toEqual({ name: v.name, dims: v.shape })
  }
}

describe('graph builder and static shape inference', () => {
  it('infers the shapes ONNX Runtime produces, through attention-style plumbing', async () => {
    const b = GraphBuilder.create('plumbing')
    const x = b.input('x', DataType.float, [2, 5, 6])
    const ids = b.input('ids', DataType.int64, [2, 5])
    const values: Value[] = []
    const keep = <T extends Value | Value[]>(v: T): T => {
      values.push(...(Array.isArray(v) ? v : [v]))
      return v
    }
    b.scope('block0', () => {
      const shape = keep(b.shape(x))
      const batch = keep(b.gather(shape, b.scalar(0, DataType.int64)))
      const target = keep(b.concat([b.unsqueeze(batch, [0]), b.ints([5, 2, 3])], 0, 'target'))
      const heads = keep(b.reshape(x, target, 'heads'))
      keep(b.transpose(heads, [0, 2, 1, 3], 'perm'))
      const [q, k] = keep(b.split(x, [3, 3], 2, 'qk'))
      keep(b.matMul(q, b.transpose(k, [0, 2, 1])))
      keep(b.slice(x, [1, -1], [4, 0], [1, 2], [1, -2], 'slice'))
      keep(b.reduceMean(x, [2], false, 'mean'))
      keep(b.reduceSum(x, [0, 2], true, 'sum'))
      const w = b.initializer('w', DataType.float, [6, 3], new Float32Array(18).fill(0.1))
      const flat = keep(b.reshape(x, [-1, 6], 'flat'))
      const logits = keep(b.gemm(flat, w, null, {}, 'logits'))
      const labels = keep(b.reshape(ids, [-1], 'labels'))
      const [loss, logp] = keep(b.node('SoftmaxCrossEntropyLoss', [logits, labels], { ignore_index: -1 }, { name: 'loss', outputCount: 2 }))
      expect(loss.shape).toEqual([])
      expect(logp.shape).toEqual([10, 3])
      keep(b.node('LayerNormalization', [x, b.initializer('ln.g', DataType.float, [6], new Float32Array(6).fill(1))], {}, { name: 'ln', outputCount: 3 }))
      keep(b.expand(b.scalar(1), [2, 1, 6], 'ones'))
      keep(b.op('Range', [b.scalar(0, DataType.int64), b.gather(shape, b.scalar(1, DataType.int64)), b.scalar(1, DataType.int64)]))
      keep(b.trilu(b.op('ConstantOfShape', [b.ints([5, 5])]), false))
    })
    expect(values.find((v) => v.name === 'block0.target')?.value).toEqual([2, 5, 2, 3])
    await expectShapesMatchRuntime(b, values, {
      x: new ort.Tensor('float32', new Float32Array(60).map((_, i) => Math.sin(i)), [2, 5, 6]),
      ids: new ort.Tensor('int64', BigInt64Array.from({ length: 10 }, (_, i) => BigInt(i % 3)), [2, 5]),
    })
  })

  it('keeps symbolic dims through Shape, Gather and Reshape', () => {
    const b = GraphBuilder.create('symbolic')
    const x = b.input('x', DataType.float, ['batch', 'seq', 8])
    const s = b.shape(x)
    const target = b.concat([b.unsqueeze(b.gather(s, b.scalar(0, DataType.int64)), [0]), b.unsqueeze(b.gather(s, b.scalar(1, DataType.int64)), [0]), b.ints([2, 4])], 0)
    expect(target.value).toEqual(['batch', 'seq', 2, 4])
    expect(b.reshape(x, target).shape).toEqual(['batch', 'seq', 2, 4])
    expect(b.reshape(x, [0, -1]).shape).toEqual(['batch', '8*seq'])
    const rows = b.reshape(x, [-1, 8])
    expect(rows.shape).toEqual(['batch*seq', 8])
    expect(b.reshape(rows, [-1, 2, 8]).shape).toEqual([null, 2, 8])
    expect(b.reshape(b.reshape(x, [-1, 4]), [0, 0]).shape).toEqual(['2*batch*seq', 4])
    expect(b.reshape(b.reshape(x, [0, 0, 2, 4]), [0, 0, -1]).shape).toEqual(['batch', 'seq', 8])
  })

  it('names nodes by scope and reports shape errors with the node name', () => {
    const b = GraphBuilder.create('errors')
    const a = b.input('a', DataType.float, [2, 3])
    const c = b.input('c', DataType.float, [4, 5])
    expect(() => b.scope('block3', () => b.scope('attn', () => b.matMul(a, c, 'qk')))).toThrow('MatMul node "block3.attn.qk" multiplies [2, 3] by [4, 5]: inner sizes 3 and 4 differ.')
    const m = b.scope('adamw', () => b.mul(a, a, 'm'))
    expect(m.name).toBe('adamw.m')
    expect(b.scope('adamw', () => b.mul(a, a, 'm')).name).toBe('adamw.m_2')
    expect(inferGraph(b.graph, b.opset).get('adamw.m')?.shape).toEqual([2, 3])
  })

  it('prunes nodes that reach no graph output when asked, and keeps them by default', async () => {
    const b = GraphBuilder.create('prune')
    const x = b.input('x', DataType.float, [2, 3])
    const t = b.transpose(x, [1, 0], 't')
    b.transpose(t, [1, 0], 'back') // composes to x itself: "t" is left unread
    b.exp(b.neg(x, 'neg'), 'dead')
    b.output(b.add(x, x, 'twice'), 'y')
    expect(b.toModel().graph.nodes.map((n) => n.name)).toEqual(['t', 'neg', 'dead', 'twice'])
    const pruned = b.toModel({ prune: true })
    expect(pruned.graph.nodes.map((n) => n.name)).toEqual(['twice'])
    const session = await cpuSession(pruned)
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]) })
    expect(Array.from(out.y.data as Float32Array)).toEqual([2, 4, 6, 8, 10, 12])
  })
})
