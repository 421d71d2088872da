import { describe, expect, it } from 'vitest'
import { resolveDecoderConfig, type DecoderConfig } from '../../models/config'
import { forwardProgram } from '../../models/programs'
import { trainByteLevelBpe } from '../../models/tokenizer/train'
import { plainTemplate } from '../../models/tokenizer/template'
import { initWeights } from '../../models/weights'
import { MixtureSampler, Policy } from '../../generate/policy'
import { NativeRunner } from '../../generate/runner'
import { exactSampling } from '../../generate/sampling'
import { chiSquare, chiSquareCritical001 } from '../../generate/statistics.fixture'
import { encodeModel } from '../../onnx/encode'
import { ort } from '../../runtime/ort'
import { Rng } from '../../runtime/rng'
import { createSession } from '../../runtime/session'
import { opponentMixture, rollout } from './rollout'

const session = { intraOpNumThreads: 1 }

/** The last position's logits of `ids` from the full forward program (no KV cache): an independent path. */
async function lastLogits(config: DecoderConfig, seed: number, ids: number[]): Promise<Float64Array> {
  const { session: s } = await createSession(encodeModel(forwardProgram(config, initWeights(config, seed))), session)
  const row = (f: (i: number) => number) => new ort.Tensor('int64', BigInt64Array.from(ids.map((_, i) => BigInt(f(i)))), [1, ids.length])
  const out = await s.run({ input_ids: row((i) => ids[i]), attention_mask: row(() => 1), position_ids: row((i) => i) })
  await s.release()
  const V = config.vocab
  return Float64Array.from((out.logits.data as Float32Array).subarray((ids.length - 1) * V, ids.length * V))
}

/** softmax((1 − β)·z_π + β·z_μ). */
function mixture(zPi: Float64Array, zMu: Float64Array, beta: number): number[] {
  const z = Array.from(zPi, (v, i) => (1 - beta) * v + beta * zMu[i])
  const max = Math.max(...z)
  const e = z.map((v) => Math.exp(v - max))
  const total = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / total)
}

describe("the opponent's token-level mixture, sampled through two sessions with two KV caches", () => {
  it('draws each next token from softmax((1 − β)·z_π + β·z_μ)', async () => {
    const config = resolveDecoderConfig({ vocab: 5, dModel: 8, layers: 1, heads: 2, context: 8, initStd: 0.6 })
    const policy = await NativeRunner.create(config, initWeights(config, 1), { session })
    const reference = await NativeRunner.create(config, initWeights(config, 2), { session })
    const prompt = [1, 3]
    const beta = 0.3
    const rows = 6000
    const sampled = await rollout(opponentMixture(policy, reference, beta), Array.from({ length: rows }, () => prompt), {
      maxTokens: 2,
      settings: exactSampling,
      rng: Rng.fromSeed(11),
      stopIds: [4],
      padId: 0,
      vocabSize: 5,
    })
    const first = mixture(await lastLogits(config, 1, prompt), await lastLogits(config, 2, prompt), beta)
    const counts = new Array(5).fill(0)
    for (const t of sampled.tokens) counts[t[0]]++
    expect(chiSquare(counts, first.map((p) => p * rows))).toBeLessThan(chiSquareCritical001[4])
    // The reported log-probability of a sampled token is the mixture's.
    sampled.tokens.slice(0, 50).forEach((t, r) => expect(sampled.logprobs[r][0]).toBeCloseTo(Math.log(first[t[0]]), 4))

    // The second token, given the most frequent non-EOS first token: each cache followed the same text.
    const lead = [0, 1, 2, 3].reduce((a, b) => (counts[a] >= counts[b] ? a : b))
    const second = mixture(await lastLogits(config, 1, [...prompt, lead]), await lastLogits(config, 2, [...prompt, lead]), beta)
    const after = new Array(5).fill(0)
    for (const t of sampled.tokens) if (t[0] === lead) after[t[1]]++
    expect(chiSquare(after, second.map((p) => p * counts[lead]))).toBeLessThan(chiSquareCritical001[4])
    await policy.release()
    await reference.release()
  })

  it('gives the same distribution through MixtureSampler (Policy objects with a tokenizer)', async () => {
    const { tokenizer } = trainByteLevelBpe(['tacos ramen pizza. where to eat? tacos again, ramen.'], { vocabSize: 270, minFrequency: 1 })
    const config = resolveDecoderConfig({ vocab: tokenizer.vocabSize, dModel: 16, layers: 1, heads: 2, context: 16, initStd: 0.5 })
    const make = async (seed: number) => new Policy(await NativeRunner.create(config, initWeights(config, seed), { session }), tokenizer, plainTemplate, `policy ${seed}`)
    const [pi, mu] = [await make(1), await make(2)]
    const beta = 0.6
    const n = 4000
    const completions = await new MixtureSampler([
      { policy: pi, weight: 1 - beta },
      { policy: mu, weight: beta },
    ]).sample(['ramen'], { n, maxTokens: 1, seed: 5, batch: n })
    const ids = pi.encodePrompt('ramen')
    const expected = mixture(await lastLogits(config, 1, ids), await lastLogits(config, 2, ids), beta)
    // Tokens expected at least 40 times each get a bin; the rest share one.
    const bins = expected.map((p, t) => (p * n >= 40 ? t : -1))
    const kept = bins.filter((t) => t >= 0)
    const observed = new Array(kept.length + 1).fill(0)
    for (const c of completions) {
      const i = kept.indexOf(c.tokens[0])
      observed[i === -1 ? kept.length : i]++
    }
    const wanted = [...kept.map((t) => expected[t] * n), n - kept.reduce((s, t) => s + expected[t] * n, 0)]
    expect(kept.length).toBeGreaterThanOrEqual(3)
    expect(chiSquare(observed, wanted)).toBeLessThan(chiSquareCritical001[Math.min(kept.length, 10)])
    await pi.release()
    await mu.release()
  })
})
