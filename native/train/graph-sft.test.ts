import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { GraphRunner } from '../generate/runner'
import { Policy } from '../generate/policy'
import { resolveDecoderConfig } from '../models/config'
import { generationProgram } from '../models/programs'
import type { SimpleTemplate } from '../models/tokenizer/template'
import { trainByteLevelBpe } from '../models/tokenizer/train'
import { initWeights } from '../models/weights'
import { saveModel } from '../onnx/external'
import { graphWeights, runGraphSft } from './graph-sft'
import { resolveSftConfig, type SftExample } from './sft'

const examples: SftExample[] = [
  { prompt: 'sky?', completion: ' blue' },
  { prompt: 'grass?', completion: ' green' },
]
const { tokenizer } = trainByteLevelBpe(examples.map((e) => e.prompt + e.completion), { vocabSize: 266, minFrequency: 1 })
const template: SimpleTemplate = { kind: 'simple', text: 'Q: {prompt}', separator: '\nA:' }
// Embeddings of a trained scale (std 0.25, not 0.02): frozen under LoRA, a tied head of tiny rows could not reach confident logits.
const architecture = resolveDecoderConfig({ vocab: tokenizer.vocabSize, dModel: 16, layers: 1, heads: 2, context: 32, positions: 'rotary', initStd: 0.25 })
const io = { layers: 1, kvHeads: 2, headSize: 8, vocabSize: tokenizer.vocabSize, positionIds: true, context: 32 }
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-graph-sft-'))
const onnx = path.join(root, 'decoder.onnx')
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

describe('SFT of an imported ONNX decoder', () => {
  it.each(['full', 'lora'] as const)('%s: trains the graph itself and writes a decoder with the same I/O that has learned', async (adapter) => {
    // A decoder file as any exporter writes it (here one Nashlab wrote; it is run only as a graph).
    await saveModel(onnx, generationProgram(architecture, initWeights(architecture, 2), { cache: 'concat', logits: 'all' }))
    const config = resolveSftConfig({ steps: adapter === 'full' ? 60 : 150, batch: 2, lr: adapter === 'full' ? 0.02 : 0.1, warmup: 2, holdout: 0, threads: 1, checkpointEvery: 1000 }, architecture, 16)
    const losses: number[] = []
    const out = path.join(root, `${adapter}.onnx`)
    const result = await runGraphSft({ onnx, io, options: { adapter, rank: 4 }, config, runConfig: {}, tokenizer, template, examples, checkpointRoot: path.join(root, adapter), out, hooks: { metrics: (_s, v) => losses.push(v.loss) } })
    // Full fine-tuning memorises the two answers; rank-4 adapters on a random base (frozen embeddings and norms) only get part of the way.
    expect(losses.at(-1)!).toBeLessThan(losses[0] / (adapter === 'full' ? 100 : 2))
    if (adapter === 'lora') expect([...result.weights.keys()].every((n) => n.endsWith('.lora.down') || n.endsWith('.lora.up'))).toBe(true)
    // The written decoder scores the answers as the trained weights did: its loss on them is the last one logged.
    const policy = new Policy(await GraphRunner.create(out, io, { intraOpNumThreads: 1 }), tokenizer, template)
    const scored = await policy.logProbs(examples.map((e) => e.prompt), examples.map((e) => [...tokenizer.encode(e.completion), tokenizer.eosId]))
    const tokens = scored.reduce((n, s) => n + s.tokens.length, 0)
    expect(-scored.reduce((sum, s) => sum + s.total, 0) / tokens).toBeLessThan(losses[0] / (adapter === 'full' ? 100 : 2))
    if (adapter === 'full') {
      const answers = await policy.sample(examples.map((e) => e.prompt), { settings: { temperature: 0 }, maxTokens: 6 })
      expect(answers.map((a) => a.text)).toEqual(examples.map((e) => e.completion))
    }
    await policy.release()
  })

  it('full fine-tuning trains weights, embeddings, norms and biases, not the graph’s other constants', async () => {
    await saveModel(onnx, generationProgram(architecture, initWeights(architecture, 2), { cache: 'concat', logits: 'all' }))
    const { loadModel } = await import('../onnx/external')
    const names = graphWeights(await loadModel(onnx)).sort()
    expect(names).toEqual(['block0.attn.proj.bias', 'block0.attn.proj.weight', 'block0.attn.qkv.bias', 'block0.attn.qkv.weight', 'block0.ln1.bias', 'block0.ln1.scale', 'block0.ln2.bias', 'block0.ln2.scale', 'block0.mlp.fc.bias', 'block0.mlp.fc.weight', 'block0.mlp.proj.bias', 'block0.mlp.proj.weight', 'ln_f.bias', 'ln_f.scale', 'wte'])
  })
})
