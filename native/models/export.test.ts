import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as ort from 'onnxruntime-node'
import { afterAll, describe, expect, it } from 'vitest'
import { GraphRunner, NativeRunner } from '../generate/runner'
import { Policy } from '../generate/policy'
import { resolveDecoderConfig } from './config'
import { exportModel } from './export'
import { exportedWeights, inspectDecoder, uncoveredOps } from './import'
import { initPreferenceWeights } from './preference'
import { resolvePreferenceConfig } from './preference-config'
import { PreferenceModel } from './preference-model'
import { saveTokenizer } from './tokenizer/files'
import { plainTemplate } from './tokenizer/template'
import { trainByteLevelBpe } from './tokenizer/train'
import { initWeights } from './weights'

const { tokenizer } = trainByteLevelBpe(['tacos and ramen and pizza for dinner'], { vocabSize: 280, minFrequency: 1 })
const architecture = resolveDecoderConfig({ vocab: tokenizer.vocabSize, dModel: 16, layers: 2, heads: 2, context: 32, positions: 'rotary', norm: 'rmsnorm' })
const weights = initWeights(architecture, 5)
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-export-'))
const tokenizerFolder = path.join(root, 'tokenizer')
saveTokenizer(tokenizerFolder, tokenizer)
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))
const session = { intraOpNumThreads: 1 }
const source = { kind: 'policy' as const, name: 'tiny', architecture, weights, tokenizer, tokenizerFolder, template: plainTemplate }

const python = '/usr/bin/python3'
const hasModule = (name: string) => {
  if (!fs.existsSync(python)) return false
  try {
    execFileSync(python, ['-c', `import ${name}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const hasOnnx = hasModule('onnx')
const hasTorch = hasModule('torch')

/** Last-position logits of a plain onnxruntime session on `ids` with an empty cache. */
async function plainLogits(file: string, ids: number[], heads: number, headSize: number, layers: number) {
  const s = await ort.InferenceSession.create(file)
  const i64 = (a: number[]) => new ort.Tensor('int64', BigInt64Array.from(a, BigInt), [1, a.length])
  const feeds: Record<string, ort.Tensor> = { input_ids: i64(ids), attention_mask: i64(ids.map(() => 1)) }
  if (s.inputNames.includes('position_ids')) feeds.position_ids = i64(ids.map((_, t) => t))
  for (let l = 0; l < layers; l++) for (const kv of ['key', 'value']) feeds[`past_key_values.${l}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, heads, 0, headSize])
  const out = await s.run(feeds)
  const V = out.logits.dims[2]
  const data = out.logits.data as Float32Array
  const result = Array.from(data.subarray((ids.length - 1) * V, ids.length * V))
  await s.release()
  return result
}

describe('export', () => {
  it('writes model.onnx with the standard decoder I/O, tokenizer.json and config.json, giving Nashlab’s logits in a plain session', async () => {
    const out = path.join(root, 'policy')
    const result = await exportModel(source, out)
    expect(result.external).toBe(false)
    expect(result.inputs).toEqual(['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key', 'past_key_values.0.value', 'past_key_values.1.key', 'past_key_values.1.value'])
    expect(result.outputs).toEqual(['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value'])
    expect(fs.readdirSync(out).sort()).toEqual(['config.json', 'generation_config.json', 'model.onnx', 'tokenizer.json', 'tokenizer_config.json'])
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'))
    expect(config).toMatchObject({ vocab_size: tokenizer.vocabSize, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, head_dim: 8, eos_token_id: tokenizer.eosId, nashlab: { kind: 'policy', architecture } })

    const ids = tokenizer.encode('tacos and')
    const plain = await plainLogits(path.join(out, 'model.onnx'), ids, 2, 8, 2)
    const native = await NativeRunner.create(architecture, weights, { session })
    const rows = native.rows()
    const ours = await rows.start([ids])
    plain.forEach((z, v) => expect(z).toBeCloseTo(ours[v], 5))

    // Imported back, the file samples what the model it came from samples.
    const inspected = await inspectDecoder(path.join(out, 'model.onnx'))
    expect(inspected.io).toEqual({ layers: 2, kvHeads: 2, headSize: 8, vocabSize: tokenizer.vocabSize, positionIds: true, context: 32 })
    expect(inspected.graph.uncoveredOps).toEqual([])
    expect(inspected.nashlab?.architecture).toEqual(architecture)
    expect(exportedWeights(inspected.model, architecture)).toEqual(weights)
    const fromFile = new Policy(await GraphRunner.create(path.join(out, 'model.onnx'), inspected.io, session), tokenizer, plainTemplate)
    const fromWeights = new Policy(native, tokenizer, plainTemplate)
    const options = { n: 3, seed: 7, maxTokens: 10 }
    const a = await fromFile.sample(['pizza'], options)
    const b = await fromWeights.sample(['pizza'], options)
    expect(a.map((c) => c.tokens)).toEqual(b.map((c) => c.tokens))
    a.forEach((c, i) => c.logprobs.forEach((lp, t) => expect(lp).toBeCloseTo(b[i].logprobs[t], 4)))
    const scoredA = await fromFile.logProbs(['pizza'], [b[0].tokens])
    scoredA[0].logprobs.forEach((lp, t) => expect(lp).toBeCloseTo(b[0].logprobs[t], 4))
    await fromFile.release()
    await fromWeights.release()
  })

  it('moves the weights to model.onnx.data when asked (as it does above 2 GB) and still loads', async () => {
    const out = path.join(root, 'external')
    const result = await exportModel(source, out, { externalThreshold: 0 })
    expect(result.external).toBe(true)
    expect(fs.statSync(path.join(out, 'model.onnx.data')).size).toBeGreaterThan(fs.statSync(path.join(out, 'model.onnx')).size)
    const ids = tokenizer.encode('ramen')
    const inline = await plainLogits(path.join(root, 'policy', 'model.onnx'), ids, 2, 8, 2)
    const external = await plainLogits(path.join(out, 'model.onnx'), ids, 2, 8, 2)
    expect(external).toEqual(inline)
  })

  it.runIf(hasOnnx)("passes ONNX's model checker (policy, preference and reward models)", async () => {
    const files = [path.join(root, 'policy', 'model.onnx')]
    for (const kind of ['pairwise', 'bt'] as const) {
      const preference = resolvePreferenceConfig(kind, { ...architecture, tiedEmbeddings: true })
      const out = path.join(root, kind)
      await exportModel({ ...source, kind: kind === 'pairwise' ? 'preference' : 'reward', architecture: undefined, preference, weights: initPreferenceWeights(preference, 2) }, out)
      files.push(path.join(out, 'model.onnx'))
    }
    if (!fs.existsSync(files[0])) await exportModel(source, path.join(root, 'policy'))
    const script = `import onnx, sys\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\nprint('ok')`
    expect(execFileSync(python, ['-c', script, ...files]).toString().trim()).toBe('ok')
  })

  it('exports a preference model whose plain-session probability is what Nashlab scores', async () => {
    const preference = resolvePreferenceConfig('pairwise', { ...architecture, tiedEmbeddings: true })
    const prefWeights = initPreferenceWeights(preference, 3)
    prefWeights.set('score.weight', Float32Array.from({ length: 16 }, (_, i) => Math.sin(i)))
    const out = path.join(root, 'preference-plain')
    const result = await exportModel({ ...source, kind: 'preference', architecture: undefined, preference, weights: prefWeights }, out)
    expect(result.outputs).toEqual(['probability', 'logit'])
    const judge = await PreferenceModel.create(preference, prefWeights, tokenizer, plainTemplate, session)
    const expected = await judge.score('dinner', 'tacos', 'pizza and ramen')
    // The same pair fed by hand to a plain session, with the sequences the model documents.
    const s = await ort.InferenceSession.create(path.join(out, 'model.onnx'))
    const { pairSequences } = await import('./preference')
    const { leftPadded } = await import('./padding')
    const seq = pairSequences('pairwise', tokenizer, plainTemplate, 32, 'dinner', 'tacos', 'pizza and ramen')
    const first = leftPadded([seq.first])
    const second = leftPadded([seq.second])
    const t = (d: BigInt64Array, w: number) => new ort.Tensor('int64', d, [1, w])
    const outs = await s.run({ input_ids: t(first.ids, first.width), attention_mask: t(first.mask, first.width), position_ids: t(first.positions, first.width), swapped_input_ids: t(second.ids, second.width), swapped_attention_mask: t(second.mask, second.width), swapped_position_ids: t(second.positions, second.width) })
    expect(outs.probability.data[0]).toBeCloseTo(expected, 5)
    await judge.release()
  })
})

describe('import', () => {
  it('names the ops the autodiff cannot differentiate', async () => {
    const inspected = await inspectDecoder(path.join(root, 'policy', 'model.onnx'))
    const model = { ...inspected.model, graph: { ...inspected.model.graph, nodes: [...inspected.model.graph.nodes, { opType: 'Tile', inputs: ['a', 'b'], outputs: ['c'], attributes: [] }, { opType: 'FusedMatMul', domain: 'com.microsoft', inputs: ['a', 'b'], outputs: ['d'], attributes: [] }] } }
    expect(uncoveredOps(model)).toEqual(['Tile', 'com.microsoft:FusedMatMul'])
  })

  it('refuses a file without the decoder I/O names, saying what is missing', async () => {
    const out = path.join(root, 'preference-plain', 'model.onnx')
    await expect(inspectDecoder(out)).rejects.toThrow('lacks output logits, inputs past_key_values.0.key/value (a KV cache)')
  })

  it.runIf(hasTorch)('imports a decoder exported by PyTorch and generates from it with its KV cache', async () => {
    const file = path.join(root, 'foreign.onnx')
    const script = fileURLToPath(new URL('./fixtures/foreign_decoder.py', import.meta.url))
    const reference = JSON.parse(execFileSync(python, [script, file], { stdio: ['ignore', 'pipe', 'ignore'] }).toString()) as { ids: number[]; logits: number[] }
    const inspected = await inspectDecoder(file)
    expect(inspected.io).toMatchObject({ layers: 2, kvHeads: 2, headSize: 8, vocabSize: 50, positionIds: false })
    expect(inspected.nashlab).toBeUndefined()
    const runner = await GraphRunner.create(file, inspected.io, session)
    const logits = await runner.rows().start([reference.ids])
    reference.logits.forEach((z, v) => expect(logits[v]).toBeCloseTo(z, 4))
    // Cached steps agree with scoring the whole sequence at once.
    const rows = runner.rows()
    await rows.start([reference.ids.slice(0, 3)])
    const step = await rows.step([reference.ids[3]])
    const scored = await runner.score([reference.ids.slice(0, 5)])
    const lse = Math.log(Array.from(step).reduce((a, z) => a + Math.exp(z), 0))
    expect(step[reference.ids[4]] - lse).toBeCloseTo(scored[0][3], 4)
    await runner.release()
  })
})
