import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { NativeRunner } from '../generate/runner'
import { Policy } from '../generate/policy'
import { resolveDecoderConfig } from '../models/config'
import { buildGpt } from '../models/gpt'
import { encodePrompt, type SimpleTemplate } from '../models/tokenizer/template'
import { trainByteLevelBpe } from '../models/tokenizer/train'
import { initWeights } from '../models/weights'
import { listCheckpoints } from '../jobs/checkpoint'
import { loadTrainCheckpoint } from './train-checkpoint'
import { IGNORE, resolveSftConfig, runSft, sftFeeds, sftRow, type SftExample } from './sft'
import { listDevices } from '../runtime/probe'
import { Trainer } from './trainer'

const examples: SftExample[] = [
  { prompt: 'sky?', completion: ' blue' },
  { prompt: 'grass?', completion: ' green' },
  { prompt: 'snow?', completion: ' white' },
  { prompt: 'night?', completion: ' black' },
]
const { tokenizer } = trainByteLevelBpe([...examples.map((e) => e.prompt + e.completion)], { vocabSize: 270, minFrequency: 1 })
const architecture = resolveDecoderConfig({ vocab: tokenizer.vocabSize, dModel: 16, layers: 1, heads: 2, context: 16 })
const template: SimpleTemplate = { kind: 'simple', text: 'Q: {prompt}', separator: '\nA:' }
const dirs: string[] = []
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-sft-'))
  dirs.push(dir)
  return dir
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })))
const policyPromptLength = (prompt: string) => encodePrompt(tokenizer, template, prompt).length

describe('SFT', () => {
  it('masks prompt tokens and padding: the loss is the mean −log p over completion tokens', async () => {
    const sequence = 16
    const rows = examples.map((e) => sftRow(tokenizer, template, e, sequence))
    // Nothing was cut to fit (the comparison below scores whole prompts).
    rows.forEach((r, i) => expect(r.ids.length).toBe(policyPromptLength(examples[i].prompt) + tokenizer.encode(examples[i].completion).length + 1))
    const { feeds, weight } = sftFeeds(rows, sequence, tokenizer.padId)
    const targets = feeds.targets.data as BigInt64Array
    // Each row scores exactly its completion tokens (EOS included).
    expect(weight).toBe(rows.reduce((n, r) => n + r.ids.length - r.promptLength, 0))
    expect([...targets.slice(0, sequence)].filter((t) => t !== BigInt(IGNORE)).map(Number)).toEqual(rows[0].ids.slice(rows[0].promptLength))
    const weights = initWeights(architecture, 3)
    const trainer = await Trainer.create(buildGpt(architecture, { batch: rows.length, sequence, outputs: 'loss', weights, ignoreIndex: IGNORE }).model, { loss: 'loss', optimizer: { kind: 'sgd', momentum: 0, weightDecay: 0 }, session: { intraOpNumThreads: 1 } })
    const loss = Number((await trainer.evaluate(feeds, ['loss'])).loss.data[0])
    const policy = new Policy(await NativeRunner.create(architecture, weights, { session: { intraOpNumThreads: 1 } }), tokenizer, template)
    const scored = await policy.logProbs(examples.map((e) => e.prompt), rows.map((r) => r.ids.slice(r.promptLength)))
    const total = scored.reduce((s, x) => s - x.total, 0)
    expect(loss).toBeCloseTo(total / weight, 5)
    await policy.release()
  })

  it("encodes a conversational example's messages through a chat template, and its text through a simple one", () => {
    const chat = { kind: 'chat' as const, jinja: '{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}assistant:' }
    const example: SftExample = { prompt: 'User: hi\n\nAssistant: yo\n\nUser: sky?', completion: ' blue', promptMessages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'yo' }, { role: 'user', content: 'sky?' }] }
    const row = sftRow(tokenizer, chat, example, 64)
    expect(tokenizer.decode(row.ids.slice(0, row.promptLength))).toBe('user: hi\nassistant: yo\nuser: sky?\nassistant:')
    const plain = sftRow(tokenizer, template, example, 64)
    expect(tokenizer.decode(plain.ids.slice(0, plain.promptLength))).toBe(`Q: ${example.prompt}\nA:`)
  })

  it('learns the completions, and a resumed run ends with exactly the weights of an uninterrupted one', async () => {
    const base = { steps: 6, batch: 4, microBatch: 2, lr: 0.03, warmup: 1, holdout: 0, threads: 1, checkpointEvery: 3, seed: 4 }
    const config = resolveSftConfig(base, architecture)
    const input = { config, runConfig: base, architecture, weights: initWeights(architecture, 1), tokenizer, template, examples }
    const straight = await runSft({ ...input, checkpointRoot: tmp() })

    // The same run, stopped after its step-3 checkpoint (as a cancel or a crash would), then resumed.
    const root = tmp()
    const steps: number[] = []
    const stopAfter3 = () => {
      if (steps.length === 3) throw new Error('stopped')
    }
    await expect(runSft({ ...input, checkpointRoot: root, hooks: { metrics: (s) => steps.push(s), check: stopAfter3 } })).rejects.toThrow('stopped')
    const [{ folder }] = listCheckpoints(root)
    const saved = loadTrainCheckpoint(folder)
    expect(saved.state).toMatchObject({ format: 'nashlab-train', version: 1, algorithm: 'sft', step: 3, data: { epoch: 2, offset: 4 } })
    expect([...saved.optimizer.keys()]).toContain('adamw.m.wte')
    const resumed = await runSft({ ...input, checkpointRoot: root, resumeFrom: folder, hooks: { metrics: (s) => steps.push(s) } })
    expect(steps).toEqual([0, 1, 2, 3, 4, 5])
    for (const [name, value] of straight.weights) expect(resumed.weights.get(name), name).toEqual(value)
    expect(resumed.metrics.loss).toBe(straight.metrics.loss)

    // More steps on the four examples: the loss falls well below its start, and greedy decoding says the answers.
    const losses: number[] = []
    const learned = await runSft({ ...input, config: resolveSftConfig({ ...base, steps: 80, microBatch: 4, lr: 0.02, warmup: 5 }, architecture), checkpointRoot: tmp(), hooks: { metrics: (_s, v) => losses.push(v.loss) } })
    expect(losses.at(-1)!).toBeLessThan(losses[0] / 10)
    const policy = new Policy(await NativeRunner.create(architecture, learned.weights, { session: { intraOpNumThreads: 1 } }), tokenizer, template)
    const answers = await policy.sample(examples.map((e) => e.prompt), { settings: { temperature: 0 }, maxTokens: 8 })
    expect(answers.map((a) => a.text)).toEqual(examples.map((e) => e.completion))
    expect(learned.metrics.loss).toBeLessThan(0.2)
    await policy.release()
  })

  it("runs the train step on the run's device, or tells the job why it fell back to the CPU", async () => {
    const cuda = (await listDevices()).providers.find((p) => p.provider === 'cuda')!
    const base = { steps: 2, batch: 4, holdout: 0, threads: 1, device: 'cuda' as const }
    const config = resolveSftConfig(base, architecture)
    expect(config.device).toBe('cuda')
    const warnings: string[] = []
    const losses: number[] = []
    await runSft({ config, runConfig: base, architecture, weights: initWeights(architecture, 1), tokenizer, template, examples, checkpointRoot: tmp(), hooks: { warn: (w) => warnings.push(w), metrics: (_s, v) => losses.push(v.loss) } })
    expect(losses).toHaveLength(2)
    if (cuda.usable) expect(warnings).toEqual([])
    else expect(warnings).toEqual([expect.stringMatching(/^CUDA \(NVIDIA\) is not usable here, so the train step runs on the CPU\./)])
  })
})
