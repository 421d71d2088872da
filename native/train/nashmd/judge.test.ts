import { describe, expect, it } from 'vitest'
import { pairSequences } from '../../models/preference'
import { resolvePreferenceConfig } from '../../models/preference-config'
import { plainTemplate } from '../../models/tokenizer/template'
import { trainByteLevelBpe } from '../../models/tokenizer/train'
import { Rng } from '../../runtime/rng'
import { judgePairs, pairTokens, textBridge, type PairJudge } from './judge'

/** A judge with a position bias: whatever it is shown first wins with probability 0.7. */
const biased: PairJudge = {
  antisymmetric: false,
  judge: async (prompts) => new Float64Array(prompts.length).fill(0.7),
  release: async () => {},
}

const rows = (n: number) => Array.from({ length: n }, (_, i) => [i])

describe('pair order', () => {
  it('randomises or averages the order for a judge that is not antisymmetric, and leaves an antisymmetric one alone', async () => {
    const n = 4000
    const prompts = rows(n).map((ids) => ({ ids, text: '' }))
    const fixed = await judgePairs(biased, 'fixed', Rng.fromSeed(1), prompts, rows(n), rows(n))
    expect(new Set(fixed)).toEqual(new Set([0.7]))
    // auto = random here: a swapped row reads 1 − 0.7, so the bias cancels on average.
    const random = await judgePairs(biased, 'auto', Rng.fromSeed(1), prompts, rows(n), rows(n))
    const mean = random.reduce((a, b) => a + b, 0) / n
    expect(new Set(Array.from(random, (p) => p.toFixed(6)))).toEqual(new Set(['0.700000', '0.300000']))
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(0.04 / n))
    const average = await judgePairs(biased, 'average', Rng.fromSeed(1), prompts, rows(n), rows(n))
    for (const p of average) expect(p).toBeCloseTo(0.5, 12)
    const seen: number[][] = []
    const symmetric: PairJudge = { antisymmetric: true, judge: async (_p, a) => (seen.push(a.map((r) => r[0])), new Float64Array(a.length).fill(0.6)), release: async () => {} }
    await judgePairs(symmetric, 'auto', Rng.fromSeed(1), prompts.slice(0, 3), [[1], [2], [3]], [[7], [8], [9]])
    expect(seen).toEqual([[1, 2, 3]])
  })
})

describe('pair sequences from ids', () => {
  it("read through the text bridge, are the sequences the preference model's own text path builds", () => {
    const { tokenizer } = trainByteLevelBpe(['where should we eat? tacos, ramen, pizza, sushi tonight.'], { vocabSize: 280, minFrequency: 1 })
    const bridge = textBridge(tokenizer, tokenizer, plainTemplate)
    const eos = tokenizer.eosId
    const y = [...tokenizer.encode('tacos tonight'), eos]
    const y2 = tokenizer.encode('ramen, or pizza')
    for (const kind of ['pairwise', 'bt'] as const) {
      for (const context of [64, 16]) {
        const config = resolvePreferenceConfig(kind, { vocab: tokenizer.vocabSize, dModel: 8, heads: 2, layers: 1, context })
        const fromIds = pairTokens(config, eos, bridge.prompt('where should we eat?'), bridge.completion(y), bridge.completion(y2))
        const fromText = pairSequences(kind, tokenizer, plainTemplate, context, 'where should we eat?', 'tacos tonight', 'ramen, or pizza')
        expect(fromIds).toEqual(fromText)
      }
    }
  })
})
