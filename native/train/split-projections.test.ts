import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { autodiff } from '../autodiff/autodiff'
import { buildGpt } from '../models/gpt'
import { GraphBuilder } from '../onnx/builder'
import { DataType } from '../onnx/dtype'
import type { Model } from '../onnx/model'
import { cpuSession } from '../onnx/session'
import { Rng } from '../runtime/rng'
import { splitProjections } from './split-projections'

const rng = Rng.fromSeed(4)
const normals = (n: number) => Float64Array.from({ length: n }, () => rng.normal())

/** x (4, 6) → Gemm → three column blocks, each used differently, summed into a scalar loss. */
function projection(transB: boolean, extraReader = false): Model {
  const b = GraphBuilder.create('projection', 21)
  const x = b.input('x', DataType.double, [4, 6])
  const w = b.initializer('w', DataType.double, transB ? [9, 6] : [6, 9], normals(54))
  const c = b.initializer('c', DataType.double, [9], normals(9))
  const y = b.gemm(x, w, c, { transB, alpha: 0.5, beta: 2 }, 'proj')
  const [y0, y1, y2] = b.split(y, [2, 3, 4], 1, 'split')
  const parts = [b.reduceSum(b.mul(y0, y0), [0, 1], false), b.reduceSum(b.tanh(y1), [0, 1], false), b.reduceSum(b.exp(y2), [0, 1], false)]
  if (extraReader) parts.push(b.reduceSum(y, [0, 1], false))
  b.output(b.sum(parts, 'total'), 'loss')
  return b.toModel()
}

function rewritten(model: Model): { model: Model; count: number } {
  const b = GraphBuilder.edit(model)
  const count = splitProjections(b)
  return { model: b.toModel(), count }
}

/** Loss and gradients with the trained initializers fed as the inputs autodiff turns them into. */
async function lossAndGradients(model: Model, wrt: string[], feeds: Record<string, ort.Tensor>): Promise<Record<string, Float64Array>> {
  const { model: withGrads } = autodiff(model, { loss: 'loss', wrt })
  const weights = Object.fromEntries(
    model.graph.initializers.filter((t) => wrt.includes(t.name)).map((t) => [t.name, new ort.Tensor('float64', new Float64Array(t.data!.slice().buffer), t.dims)]),
  )
  const out = await (await cpuSession(withGrads, { intraOpNumThreads: 1 })).run({ ...feeds, ...weights })
  return Object.fromEntries(['loss', ...wrt.map((w) => `${w}_grad`)].map((k) => [k, out[k].data as Float64Array]))
}

function maxDifference(a: Record<string, Float64Array>, b: Record<string, Float64Array>): number {
  let worst = 0
  for (const k of Object.keys(a)) a[k].forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[k][i]) / Math.max(1, Math.abs(v)))))
  return worst
}

describe('splitProjections', () => {
  const feeds = { x: new ort.Tensor('float64', normals(24), [4, 6]) }

  for (const transB of [false, true]) {
    it(`gives one Gemm per column block with the same loss and gradients (transB ${transB})`, async () => {
      const model = projection(transB)
      const split = rewritten(model)
      expect(split.count).toBe(1)
      const ops = split.model.graph.nodes.map((n) => n.opType)
      expect(ops.filter((o) => o === 'Gemm')).toHaveLength(3)
      expect(split.model.graph.nodes.some((n) => n.opType === 'Split' && n.inputs[0] === 'proj')).toBe(false)
      const before = await lossAndGradients(model, ['x', 'w', 'c'], feeds)
      const after = await lossAndGradients(split.model, ['x', 'w', 'c'], feeds)
      expect(maxDifference(before, after)).toBeLessThan(1e-12)
    })
  }

  it('leaves a projection whose whole output is also read elsewhere', () => {
    const split = rewritten(projection(false, true))
    expect(split.count).toBe(0)
    expect(split.model.graph.nodes.filter((n) => n.opType === 'Gemm')).toHaveLength(1)
  })

  it("rewrites a GPT's query/key/value projections without changing its gradients (float64)", async () => {
    const config = { vocab: 11, dModel: 8, layers: 2, heads: 2, context: 6, geluApproximation: 'tanh' as const, initStd: 0.3 }
    const { model, params } = buildGpt(config, { batch: 2, sequence: 5, outputs: 'loss', dtype: DataType.double })
    const split = rewritten(model)
    expect(split.count).toBe(2)
    const ids = BigInt64Array.from({ length: 10 }, () => BigInt(rng.below(11)))
    const batch = { input_ids: new ort.Tensor('int64', ids, [2, 5]), targets: new ort.Tensor('int64', BigInt64Array.from(ids, (v) => (v + 3n) % 11n), [2, 5]) }
    const names = params.map((p) => p.name)
    const before = await lossAndGradients(model, names, batch)
    const after = await lossAndGradients(split.model, names, batch)
    expect(maxDifference(before, after)).toBeLessThan(1e-12)
  })
})
