import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { afterAll, describe, expect, it } from 'vitest'
import { GraphBuilder } from './builder'
import { decodeModel } from './decode'
import { DataType } from './dtype'
import { encodeModel } from './encode'
import { encodeWithExternalData, loadModel, resolveExternalData, saveModel } from './external'
import { ProtoWriter } from './wire'
import { cpuSession } from './session'
import { tensorNumbers } from './tensor'

function smallModel() {
  const b = GraphBuilder.create('small')
  const x = b.input('x', DataType.float, ['batch', 4])
  const w = b.initializer('layer.weight', DataType.float, [4, 3], Float32Array.from({ length: 12 }, (_, i) => i / 10))
  const bias = b.initializer('layer.bias', DataType.float, [3], [0.5, -0.5, 1])
  const y = b.scope('layer', () => b.add(b.matMul(x, w, 'matmul'), bias, 'bias'))
  b.output(b.relu(y, 'relu'), 'y')
  return b.toModel()
}

describe('ModelProto encode/decode', () => {
  const dirs: string[] = []
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  it('round-trips a model byte for byte, keeping fields it does not model', () => {
    const model = smallModel()
    const extra = new ProtoWriter()
    extra.string(99, 'kept verbatim')
    model.graph.unknown = [extra.finish()]
    const bytes = encodeModel(model)
    const back = decodeModel(bytes)
    expect(encodeModel(back)).toEqual(bytes)
    expect(back.graph.nodes.map((n) => n.name)).toEqual(['layer.matmul', 'layer.bias', 'relu'])
    expect(back.graph.nodes[2].outputs).toEqual(['y'])
    expect(back.graph.inputs[0].type?.tensor?.shape).toEqual(['batch', 4])
    expect(tensorNumbers(back.graph.initializers[1])).toEqual([0.5, -0.5, 1])
  })

  it('runs in ONNX Runtime with weights inline and as external data', async () => {
    const model = smallModel()
    const feeds = { x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, -1, -2, -3, -4]), [2, 4]) }
    const inline = await (await cpuSession(model)).run(feeds)
    const encoded = encodeWithExternalData(model, { threshold: 16, location: 'weights.bin' })
    expect(encoded.external?.path).toBe('weights.bin')
    const decoded = decodeModel(encoded.model)
    expect(decoded.graph.initializers.find((t) => t.name === 'layer.weight')?.external).toMatchObject({ location: 'weights.bin', offset: 0, length: 48 })
    const session = await ort.InferenceSession.create(encoded.model, { externalData: [{ path: 'weights.bin', data: encoded.external!.data }] })
    const external = await session.run(feeds)
    expect(Array.from(external.y.data as Float32Array)).toEqual(Array.from(inline.y.data as Float32Array))
    const resolved = resolveExternalData(decoded, [encoded.external!])
    expect(tensorNumbers(resolved.graph.initializers[0])).toEqual(tensorNumbers(model.graph.initializers[0]))
  })

  it('saves and loads a model with a side file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nashlab-onnx-'))
    dirs.push(dir)
    const model = smallModel()
    const paths = await saveModel(join(dir, 'm.onnx'), model, 40)
    expect(paths.map((p) => p.slice(dir.length + 1))).toEqual(['m.onnx', 'm.onnx.data'])
    expect((await readdir(dir)).sort()).toEqual(['m.onnx', 'm.onnx.data'])
    const back = await loadModel(join(dir, 'm.onnx'))
    expect(tensorNumbers(back.graph.initializers[0])).toEqual(tensorNumbers(model.graph.initializers[0]))
    expect(back.graph.initializers[1].external).toBeUndefined()
  })
})
