import { describe, expect, it } from 'vitest'
import { resolveDecoderConfig } from '../models/config'
import { trainByteLevelBpe } from '../models/tokenizer/train'
import { plainTemplate } from '../models/tokenizer/template'
import { initWeights } from '../models/weights'
import { forwardProgram } from '../models/programs'
import { encodeModel } from '../onnx/encode'
import { ort } from '../runtime/ort'
import { createSession } from '../runtime/session'
import { MixtureSampler, Policy } from './policy'
import { NativeRunner } from './runner'

const { tokenizer } = trainByteLevelBpe(['where to eat? tacos, ramen, pizza. where to eat? tacos again.'], { vocabSize: 290, minFrequency: 1 })
const config = resolveDecoderConfig({ vocab: tokenizer.vocabSize, dModel: 16, layers: 1, heads: 2, context: 48 })
const session = { intraOpNumThreads: 1 }
const i64 = (row: number[]) => new ort.Tensor('int64', BigInt64Array.from(row, BigInt), [1, row.length])

async function policy(seed: number, weights: 'constant' | 'inputs' = 'constant') {
  return new Policy(await NativeRunner.create(config, initWeights(config, seed), { weights, session }), tokenizer, plainTemplate, `policy ${seed}`)
}

describe('Policy', () => {
  it('samples the same completions from the same seed, streams their text, and scores them as it sampled them', async () => {
    const p = await policy(1)
    const prompts = ['where to eat?', 'tacos']
    const streamed = new Map<number, string>()
    const a = await p.sample(prompts, { n: 3, seed: 5, maxTokens: 12, onToken: (e) => streamed.set(e.row, (streamed.get(e.row) ?? '') + e.text) })
    const b = await p.sample(prompts, { n: 3, seed: 5, maxTokens: 12, batch: 2 })
    const c = await p.sample(prompts, { n: 3, seed: 6, maxTokens: 12 })
    expect(a.map((x) => [x.prompt, x.sample])).toEqual([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]])
    // Smaller batches draw from the one generator in another order; each completion is still whole.
    expect(b.map((x) => x.tokens.length)).toEqual(b.map((x) => x.logprobs.length))
    expect(a).toEqual(await p.sample(prompts, { n: 3, seed: 5, maxTokens: 12 }))
    expect(c.map((x) => x.text)).not.toEqual(a.map((x) => x.text))
    for (const [row, completion] of a.entries()) {
      expect(streamed.get(row)).toBe(completion.text)
      expect(completion.tokens.length).toBeGreaterThan(0)
      if (completion.finishReason === 'eos') expect(completion.tokens.at(-1)).toBe(tokenizer.eosId)
      else expect(completion.tokens).toHaveLength(12)
    }
    // The eval program gives the sampled tokens the log-probabilities the sampler reported.
    const scored = await p.logProbs(a.map((x) => prompts[x.prompt]), a.map((x) => x.tokens))
    scored.forEach((s, i) => {
      s.logprobs.forEach((lp, t) => expect(lp).toBeCloseTo(a[i].logprobs[t], 4))
      expect(s.total).toBeCloseTo(a[i].logprobs.reduce((x, y) => x + y, 0), 3)
    })
    await p.release()
  })

  it('samples the same completions when small steps run on its one-thread session (two threads) as on one thread throughout', async () => {
    const prompts = ['where to eat?', 'tacos']
    const one = await policy(3)
    const two = new Policy(await NativeRunner.create(config, initWeights(config, 3), { session: { intraOpNumThreads: 2 } }), tokenizer, plainTemplate)
    const a = await one.sample(prompts, { n: 2, seed: 9, maxTokens: 10 })
    const b = await two.sample(prompts, { n: 2, seed: 9, maxTokens: 10 })
    expect(b.map((x) => x.tokens)).toEqual(a.map((x) => x.tokens))
    b.forEach((x, i) => x.logprobs.forEach((lp, t) => expect(lp).toBeCloseTo(a[i].logprobs[t], 4)))
    await Promise.all([one.release(), two.release()])
  })

  it('follows new weights fed to the same sessions', async () => {
    const fed = await policy(1, 'inputs')
    const baked1 = await policy(1)
    const baked2 = await policy(2)
    const options = { n: 2, seed: 3, maxTokens: 8, settings: { temperature: 0 } }
    expect((await fed.sample(['ramen'], options)).map((x) => x.tokens)).toEqual((await baked1.sample(['ramen'], options)).map((x) => x.tokens))
    ;(fed.runner as NativeRunner).setWeights(initWeights(config, 2))
    const after = await fed.sample(['ramen'], { ...options, settings: { temperature: 1 } })
    expect(after).toEqual(await baked2.sample(['ramen'], { ...options, settings: { temperature: 1 } }))
    for (const p of [fed, baked1, baked2]) await p.release()
  })

  it('samples geometric mixtures: weight 1 on one model is that model, and the mixture log-prob is its own', async () => {
    const p1 = await policy(1)
    const p2 = await policy(2)
    const options = { n: 2, seed: 9, maxTokens: 10 }
    expect(await new MixtureSampler([{ policy: p1, weight: 1 }, { policy: p2, weight: 0 }]).sample(['pizza'], options)).toEqual(await p1.sample(['pizza'], options))
    expect(await new MixtureSampler([{ policy: p1, weight: 0 }, { policy: p2, weight: 1 }]).sample(['pizza'], options)).toEqual(await p2.sample(['pizza'], options))
    // Each greedy mixture token is the argmax of ½ z₁ + ½ z₂ given the text so far, and its log-prob is the mixture's.
    const [mixed] = await new MixtureSampler([{ policy: p1, weight: 0.5 }, { policy: p2, weight: 0.5 }]).sample(['pizza'], { seed: 1, maxTokens: 6, settings: { temperature: 0 }, stopAtEos: false })
    const full = await Promise.all([1, 2].map(async (seed) => (await createSession(encodeModel(forwardProgram(config, initWeights(config, seed))), session)).session))
    const prefix = p1.encodePrompt('pizza')
    for (const [t, token] of mixed.tokens.entries()) {
      const ids = [...prefix, ...mixed.tokens.slice(0, t)]
      const feeds = { input_ids: i64(ids), attention_mask: i64(ids.map(() => 1)), position_ids: i64(ids.map((_, i) => i)) }
      const [z1, z2] = await Promise.all(full.map(async (s) => (await s.run(feeds)).logits.data as Float32Array))
      const V = config.vocab
      const z = Array.from({ length: V }, (_, v) => 0.5 * z1[(ids.length - 1) * V + v] + 0.5 * z2[(ids.length - 1) * V + v])
      expect(token).toBe(z.indexOf(Math.max(...z)))
      const lse = Math.log(z.reduce((a, x) => a + Math.exp(x - Math.max(...z)), 0)) + Math.max(...z)
      expect(mixed.logprobs[t]).toBeCloseTo(z[token] - lse, 4)
    }
    await p1.release()
    await p2.release()
  })
})
