import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { afterAll, describe, expect, it } from 'vitest'
import { buildGpt } from '../../models/gpt'
import { loadModel, saveModel } from '../../onnx/external'
import { cpuSession } from '../../onnx/session'
import { parseArgs } from '../args'
import type { CliContext } from '../command'
import { main } from '../main'
import { autodiffCommands, type AutodiffCliResult } from './autodiff'

const ctx = { json: true, print: () => {}, progress: () => {}, signal: new AbortController().signal, engine: () => { throw new Error('autodiff needs no database') } } as unknown as CliContext

describe('nashlab autodiff', () => {
  const dirs: string[] = []
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  it('writes a model that keeps the inputs and outputs and adds <name>_grad outputs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nashlab-cli-'))
    dirs.push(dir)
    const { model } = buildGpt({ vocab: 12, dModel: 8, layers: 1, heads: 2, context: 4 }, { batch: 'batch', sequence: 4, outputs: 'both' })
    await saveModel(join(dir, 'in.onnx'), model)
    const run = (argv: string[]) => autodiffCommands[0].run(parseArgs(argv), ctx) as Promise<AutodiffCliResult>
    const all = await run(['--model', join(dir, 'in.onnx'), '--loss', 'loss', '--wrt', 'all', '--out', join(dir, 'all.onnx')])
    expect(all.gradients.map((g) => g.tensor)).toEqual(model.graph.initializers.map((t) => t.name))
    const some = await run(['--model', join(dir, 'in.onnx'), '--loss', 'loss', '--wrt', 'wte,block0.attn.qkv.weight', '--out', join(dir, 'out.onnx'), '--external-threshold', '256'])
    expect(some.files.map((f) => f.slice(dir.length + 1))).toEqual(['out.onnx', 'out.onnx.data'])
    const out = await loadModel(join(dir, 'out.onnx'))
    expect(out.graph.inputs.map((i) => i.name)).toEqual(['input_ids', 'targets', 'wte', 'block0.attn.qkv.weight'])
    expect(out.graph.outputs.map((o) => o.name)).toEqual(['logits', 'loss', 'wte_grad', 'block0.attn.qkv.weight_grad'])
    const init = new Map(model.graph.initializers.map((t) => [t.name, t]))
    const weight = (name: string) => new ort.Tensor('float32', new Float32Array(init.get(name)!.data!.slice().buffer), init.get(name)!.dims)
    const result = await (await cpuSession(out)).run({
      input_ids: new ort.Tensor('int64', BigInt64Array.from([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]), [2, 4]),
      targets: new ort.Tensor('int64', BigInt64Array.from([2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]), [2, 4]),
      wte: weight('wte'),
      'block0.attn.qkv.weight': weight('block0.attn.qkv.weight'),
    })
    expect(result.wte_grad.dims).toEqual([12, 8])
    expect(Array.from(result.wte_grad.data as Float32Array).some((v) => v !== 0)).toBe(true)
  })

  it('fails with one line naming the missing tensor, and a non-zero exit code', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nashlab-cli-'))
    dirs.push(dir)
    await saveModel(join(dir, 'in.onnx'), buildGpt({ vocab: 12, dModel: 8, layers: 1, heads: 2, context: 4 }, { batch: 1, sequence: 4, outputs: 'loss' }).model)
    await expect(autodiffCommands[0].run(parseArgs(['--model', join(dir, 'in.onnx'), '--loss', 'loss', '--wrt', 'wte,missing', '--out', join(dir, 'x.onnx')]), ctx)).rejects.toThrow('Tensor "missing" is neither a graph input nor an initializer of the model.')
    const errors: string[] = []
    const write = console.error
    console.error = (line: string) => errors.push(line)
    try {
      expect(await main(['autodiff', '--model', join(dir, 'nope.onnx'), '--loss', 'loss', '--wrt', 'all', '--out', join(dir, 'x.onnx'), '--json'])).toBe(1)
    } finally {
      console.error = write
    }
    expect(JSON.parse(errors[0]).error.code).toBe('bad_file')
  })
})
