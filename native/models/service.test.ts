import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as ort from 'onnxruntime-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GenerateTokenEvent } from '../api/generate'
import { restaurantComparisons } from '../demo/restaurants'
import { Engine } from '../engine/engine'
import { encodeModel } from '../onnx/encode'
import { makeTensor } from '../onnx/tensor'
import { ComparisonWriter, DatasetRepository } from '../store/datasets'
import { addLora } from '../train/lora'
import { ModelCatalog } from './catalog'
import { buildGpt, gptParams } from './gpt'
import { dataPath, type PolicyManifest } from './manifest'
import { policyWeights } from './open'
import { readWeights } from './weights-file'

let dir: string
let engine: Engine
const tiny = { dModel: 16, layers: 1, heads: 2, context: 64 }
const fast = { steps: 4, batch: 4, threads: 1, checkpointEvery: 2, holdout: 0, lr: 0.01 }

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-models-'))
  engine = new Engine({ database: path.join(dir, 'nashlab.db'), mode: 'cli' })
  const id = new DatasetRepository(engine.db).ensure('restaurants')
  engine.db.transaction(() => {
    const writer = new ComparisonWriter(engine.db, id)
    for (const row of restaurantComparisons(60)) writer.add({ prompt: row.prompt, a: row.chosen, b: row.rejected, outcome: 'a', annotator: row.annotator })
  })()
})
afterAll(async () => {
  await engine.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('models and generation through the engine', () => {
  it('creates a policy with a tokenizer trained on the dataset, and streams what it generates', async () => {
    const created = await engine.call('models.create', { name: 'tiny', architecture: tiny, tokenizer: { dataset: 'restaurants', vocabSize: 300 }, seed: 1 })
    expect(created).toMatchObject({ name: 'tiny', kind: 'policy', vocabSize: 300, dataset: { name: 'restaurants' }, parent: null, run: null, trainable: true })
    expect(created.architecture).toBe('d 16 · 1 layer · 2 heads · context 64 · LayerNorm · GELU · learned positions · tied')
    expect(created.tokenizerTraining!.merges).toBeGreaterThan(0)
    // The tokenizer trained as a job in a worker (the engine thread kept serving), and its staging folder is gone.
    const jobs = await engine.call('jobs.list', {})
    expect(jobs.find((j) => j.kind === 'tokenizer')).toMatchObject({ status: 'completed', label: 'Train the tokenizer of tiny', progress: { unit: 'merges' } })
    expect(fs.readdirSync(path.join(dir, 'models')).filter((f) => f.startsWith('.tokenizer-'))).toEqual([])
    await expect(engine.call('models.create', { name: 'tiny', architecture: tiny })).rejects.toThrow('A model named "tiny" already exists.')
    await expect(engine.call('models.create', { name: 'tiny', architecture: tiny, tokenizer: { dataset: 'restaurants', vocabSize: 300 } })).rejects.toThrow('A model named "tiny" already exists.')

    const events: GenerateTokenEvent[] = []
    const off = engine.events.on('generate.tokens', (e) => events.push(e))
    const result = await engine.call('generate.run', { model: 'tiny', prompts: ['Where should we eat?'], n: 2, settings: { maxTokens: 8, seed: 3 }, request: 'r1', save: true })
    off()
    expect(result.completions).toHaveLength(2)
    for (const [row, c] of result.completions.entries()) {
      const mine = events.filter((e) => e.row === row)
      expect(mine.map((e) => e.token)).toEqual(c.tokens)
      expect(mine.map((e) => e.text).join('')).toBe(c.text)
      expect(mine.at(-1)!.done).toBe(true)
    }
    const again = await engine.call('generate.run', { model: 'tiny', prompts: ['Where should we eat?'], n: 2, settings: { maxTokens: 8, seed: 3 } })
    expect(again.completions.map((c) => c.text)).toEqual(result.completions.map((c) => c.text))
    expect(engine.db.prepare('SELECT count(*) FROM generations').pluck().get()).toBe(2)
  })

  it('fine-tunes with SFT as a run, registers the result with its lineage, and exports its checkpoint', async () => {
    const started = await engine.call('train.sft', { model: 'tiny', dataset: 'restaurants', settings: fast, wait: true })
    expect(started.run).toMatchObject({ algorithm: 'sft', status: 'completed', lastStep: 3, totalSteps: 4 })
    expect(started.model).toMatchObject({ kind: 'policy', parent: { name: 'tiny' }, run: { id: started.run.id, algorithm: 'sft' }, dataset: { name: 'restaurants' } })
    const run = await engine.call('runs.show', { run: started.run.id })
    expect(run.checkpoints.map((c) => c.step)).toEqual([2, 4])
    expect(run.metricNames).toEqual(expect.arrayContaining(['loss', 'learning_rate', 'grad_norm', 'epoch']))
    expect(run.config).toMatchObject({ algorithm: 'sft', model: { name: 'tiny' }, resolved: { steps: 4, batch: 4, optimizer: 'adamw' } })
    // The rows are as long as the longest example needs (a multiple of 8), at most the context.
    const sequence = (run.config.resolved as { sequence: number }).sequence
    expect(sequence % 8).toBe(0)
    expect(sequence).toBeLessThanOrEqual(64)
    const base = await engine.call('models.show', { model: 'tiny' })
    expect(base.children.map((c) => c.name)).toEqual([started.model!.name])
    expect(base.checkpoints.map((c) => c.step)).toEqual([2, 4])

    const out = path.join(dir, 'export')
    const exported = await engine.call('models.export', { checkpoint: run.checkpoints[1].id, out })
    expect(exported.files.map((f) => path.basename(f)).sort()).toEqual(['config.json', 'generation_config.json', 'model.onnx', 'tokenizer.json', 'tokenizer_config.json'])
    const session = await ort.InferenceSession.create(path.join(out, 'model.onnx'))
    expect(session.outputNames).toEqual(['logits', 'present.0.key', 'present.0.value'])
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'))
    expect(config.nashlab.lineage).toMatchObject({ run: started.run.id, checkpoint: run.checkpoints[1].id, step: 4 })

    // The export comes back in as an imported model that Nashlab runs (and trains) natively.
    const imported = await engine.call('models.import', { path: path.join(out, 'model.onnx'), name: 'reimported' })
    expect(imported).toMatchObject({ kind: 'imported', trainable: true, vocabSize: 300 })
    const a = await engine.call('generate.run', { model: 'reimported', prompts: ['Hi'], settings: { maxTokens: 6, seed: 1 } })
    const b = await engine.call('generate.run', { model: started.model!.id, prompts: ['Hi'], settings: { maxTokens: 6, seed: 1 } })
    expect(a.completions[0].tokens).toEqual(b.completions[0].tokens)
  })

  it('fine-tunes with LoRA, and fine-tunes an imported graph Nashlab did not build', async () => {
    const lora = await engine.call('train.sft', { model: 'tiny', dataset: 'restaurants', adapter: 'lora', loraRank: 4, settings: fast, wait: true })
    expect(lora.model).toMatchObject({ kind: 'policy', parent: { name: 'tiny' }, description: expect.stringContaining('LoRA rank 4, merged') })
    const a = await engine.call('generate.run', { model: lora.model!.id, prompts: ['Hi'], settings: { maxTokens: 4, seed: 1 } })
    expect(a.completions[0].tokens.length).toBeGreaterThan(0)

    // An intermediate checkpoint holds only adapters: the Models view names its base, and export merges them in.
    const shown = await engine.call('models.show', { model: lora.model!.id })
    const intermediate = shown.checkpoints.find((c) => c.run === lora.run.id && c.step === 2)!
    expect(intermediate.lora).toEqual({ rank: 4, base: { id: expect.any(Number), name: 'tiny' } })
    const loraOut = path.join(dir, 'lora-export')
    const exported = await engine.call('models.export', { checkpoint: intermediate.id, out: loraOut })
    const config = JSON.parse(fs.readFileSync(path.join(loraOut, 'config.json'), 'utf8'))
    expect(config.nashlab.lineage).toMatchObject({ checkpoint: intermediate.id, step: 2, adapter: { kind: 'lora', rank: 4, base: 'tiny' } })
    expect(exported.files.map((f) => path.basename(f))).toContain('model.onnx')
    // In Nashlab: the base with the checkpoint's adapters as a LoRA graph (W·x + down·up·x, unmerged).
    const base = new ModelCatalog(engine.db, dir).get('tiny')
    const architecture = (base.manifest as PolicyManifest).architecture
    const baseWeights = policyWeights(base.manifest as PolicyManifest, dir)
    const adapterValues = readWeights(dataPath(dir, intermediate.path))
    const ids = [5, 9, 2, 33, 7]
    const gpt = buildGpt(architecture, { batch: 1, sequence: ids.length, outputs: 'logits', weights: baseWeights }).model
    const adapted = addLora(gpt, { targets: gptParams(architecture).filter((p) => p.name.endsWith('.weight') && p.shape.length === 2).map((p) => p.name), rank: 4 })
    const withValues = { ...adapted.model, graph: { ...adapted.model.graph, initializers: adapted.model.graph.initializers.map((t) => (adapterValues.has(t.name) && t.name.includes('lora') ? makeTensor(t.name, t.dataType, t.dims, adapterValues.get(t.name)!) : t)) } }
    expect(adapted.trainable.every((name) => adapterValues.has(name))).toBe(true)
    const inside = (await (await ort.InferenceSession.create(encodeModel(withValues))).run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]) })).logits.data as Float32Array
    const session = await ort.InferenceSession.create(path.join(loraOut, 'model.onnx'))
    const i64 = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values, BigInt), [1, values.length])
    const empty = Object.fromEntries(['key', 'value'].map((kv) => [`past_key_values.0.${kv}`, new ort.Tensor('float32', new Float32Array(0), [1, 2, 0, 8])]))
    const outside = (await session.run({ input_ids: i64(ids), attention_mask: i64(ids.map(() => 1)), position_ids: i64(ids.map((_, t) => t)), ...empty })).logits.data as Float32Array
    expect(outside.length).toBe(inside.length)
    expect(Math.max(...outside.map((z, i) => Math.abs(z - inside[i])))).toBeLessThan(1e-4)
    // The adapters moved the weights: the export is not the base.
    const unadapted = (await (await ort.InferenceSession.create(encodeModel(gpt))).run({ input_ids: i64(ids) })).logits.data as Float32Array
    expect(Math.max(...outside.map((z, i) => Math.abs(z - unadapted[i])))).toBeGreaterThan(1e-4)

    // A decoder file without Nashlab's metadata: run and trained as a graph.
    const out = path.join(dir, 'plain')
    await engine.call('models.export', { model: 'tiny', out })
    const { loadModel, saveModel } = await import('../onnx/external')
    const plain = await loadModel(path.join(out, 'model.onnx'))
    await saveModel(path.join(out, 'foreign.onnx'), { ...plain, metadataProps: [], producerName: 'elsewhere' })
    // Its tokenizer_config.json carries a chat template (ChatML): prompts render with it.
    const configFile = path.join(out, 'tokenizer_config.json')
    const chatml = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    fs.writeFileSync(configFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(configFile, 'utf8')), chat_template: chatml }))
    const foreign = await engine.call('models.import', { path: path.join(out, 'foreign.onnx'), name: 'foreign' })
    expect(foreign).toMatchObject({ kind: 'imported', trainable: true, architecture: expect.stringContaining('ONNX decoder') })
    expect((await engine.call('models.show', { model: 'foreign' })).config).toMatchObject({ template: { kind: 'chat', jinja: chatml } })
    const tuned = await engine.call('train.sft', { model: 'foreign', dataset: 'restaurants', settings: fast, wait: true })
    expect(tuned.model).toMatchObject({ kind: 'imported', parent: { name: 'foreign' }, run: { id: tuned.run.id } })
    const sample = await engine.call('generate.run', { model: tuned.model!.id, prompts: ['Hi'], settings: { maxTokens: 4, seed: 1 } })
    expect(sample.completions[0].tokens.length).toBeGreaterThan(0)
  })

  it('trains a pairwise preference model and a reward model as runs, with held-out metrics', async () => {
    const pref = await engine.call('train.preference', { dataset: 'restaurants', kind: 'pairwise', architecture: tiny, vocabSize: 280, settings: { ...fast, holdout: 0.2 }, wait: true })
    expect(pref.model).toMatchObject({ kind: 'preference', run: { algorithm: 'preference' }, dataset: { name: 'restaurants' } })
    const detail = await engine.call('models.show', { model: pref.model!.id })
    expect(detail.config).toMatchObject({ kind: 'preference', evaluation: { pairs: 12 } })
    const run = await engine.call('runs.show', { run: pref.run.id })
    expect(run.metricNames).toEqual(expect.arrayContaining(['eval/accuracy', 'eval/log_loss', 'eval/calibration_error']))
    // Its tokenizer trained as a job in a worker, staged and then moved into the run's folder.
    const jobs = await engine.call('jobs.list', {})
    expect(jobs.find((j) => j.label === `Train the tokenizer of run ${pref.run.id} on restaurants`)).toMatchObject({ kind: 'tokenizer', status: 'completed', progress: { unit: 'merges' } })
    expect(fs.readdirSync(path.join(dir, 'runs', String(pref.run.id)))).toContain('tokenizer')
    expect(fs.readdirSync(path.join(dir, 'runs', String(pref.run.id))).filter((f) => f.startsWith('.tokenizer-'))).toEqual([])
    const reward = await engine.call('train.preference', { dataset: 'restaurants', kind: 'bt', from: 'tiny', settings: fast, wait: true })
    expect(reward.model).toMatchObject({ kind: 'reward', parent: { name: 'tiny' } })
    await expect(engine.call('generate.run', { model: reward.model!.id, prompts: ['x'] })).rejects.toThrow('judges pairs')
  })

  it('cancels a preference run while its tokenizer trains, leaving no tokenizer, and trains it on resume', async () => {
    const cancel = new AbortController()
    cancel.abort()
    await expect(engine.call('train.preference', { dataset: 'restaurants', kind: 'bt', architecture: tiny, vocabSize: 290, settings: fast }, { signal: cancel.signal })).rejects.toMatchObject({ code: 'cancelled' })
    const jobs = await engine.call('jobs.list', {})
    const job = jobs.filter((j) => j.kind === 'tokenizer').sort((a, b) => Number(b.id) - Number(a.id))[0]
    expect(job.status).toBe('cancelled')
    const run = Number(/run (\d+)/.exec(job.label)![1])
    expect(engine.runs.runs.get(run).status).toBe('cancelled')
    expect(fs.readdirSync(path.join(dir, 'runs', String(run)))).toEqual([])
    const resumed = await engine.call('train.resume', { run, wait: true })
    expect(resumed.model).toMatchObject({ kind: 'reward', vocabSize: 290 })
    expect(engine.runs.runs.get(run).status).toBe('completed')
  })

  it('cancels a run and resumes it from its last checkpoint', async () => {
    const started = await engine.call('train.sft', { model: 'tiny', dataset: 'restaurants', settings: { ...fast, steps: 400, checkpointEvery: 5 } })
    await expect.poll(() => engine.runs.runs.checkpoints(started.run.id).length, { timeout: 30_000 }).toBeGreaterThan(0)
    await engine.call('train.cancel', { run: started.run.id })
    await expect.poll(() => engine.runs.runs.get(started.run.id).status).toBe('cancelled')
    const stoppedAt = engine.runs.runs.latestCheckpoint(started.run.id)!.step
    const resumed = await engine.call('train.resume', { run: started.run.id })
    await engine.call('jobs.cancel', { id: resumed.job })
    await expect.poll(() => engine.runs.runs.get(started.run.id).status).toBe('cancelled')
    expect(engine.runs.runs.latestCheckpoint(started.run.id)!.step).toBeGreaterThanOrEqual(stoppedAt)
    await expect(engine.call('train.resume', { run: 1 })).rejects.toThrow('only a cancelled or failed run can be resumed')
  })
})
