import { describe, expect, it } from 'vitest'
import { PreferenceModel } from './preference-model'
import { preferenceWeightSpecs } from './preference'
import { resolvePreferenceConfig } from './preference-config'
import { plainTemplate } from './tokenizer/template'
import { trainByteLevelBpe } from './tokenizer/train'
import { Rng } from '../runtime/rng'
import type { Weights } from './weights'

const { tokenizer } = trainByteLevelBpe(['tacos are good. ramen is warm. pizza is fine.'], { vocabSize: 280, minFrequency: 1 })
const trunk = { vocab: tokenizer.vocabSize, dModel: 16, layers: 1, heads: 2, context: 40 }

/** Random weights, the score head included (a fresh model's head is zero, which would make every P ½). */
function randomWeights(specs: ReturnType<typeof preferenceWeightSpecs>, seed: number): Weights {
  const rng = Rng.fromSeed(seed)
  return new Map(specs.map((s) => [s.name, Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => (s.name.endsWith('.scale') ? 1 : rng.normal() * 0.3))]))
}

describe.each(['pairwise', 'bt'] as const)('%s preference model', (kind) => {
  it('is antisymmetric: P(a ≻ b) + P(b ≻ a) = 1 and P(a ≻ a) = ½', async () => {
    const config = resolvePreferenceConfig(kind, trunk)
    const model = await PreferenceModel.create(config, randomWeights(preferenceWeightSpecs(config), 4), tokenizer, plainTemplate, { intraOpNumThreads: 1 })
    const pairs = [
      { prompt: 'dinner?', a: 'tacos are good.', b: 'ramen is warm, and pizza is fine.' },
      { prompt: 'lunch', a: 'pizza', b: 'tacos' },
    ]
    const forward = await model.scoreBatch(pairs)
    const backward = await model.scoreBatch(pairs.map((p) => ({ ...p, a: p.b, b: p.a })))
    forward.forEach((p, i) => expect(p + backward[i]).toBeCloseTo(1, 6))
    expect(forward.some((p) => Math.abs(p - 0.5) > 1e-3)).toBe(true)
    expect(await model.score('dinner?', 'tacos', 'tacos')).toBeCloseTo(0.5, 6)
    // Batching does not change a pair's score (rows are padded on the left, and masked).
    expect(await model.score(pairs[1].prompt, pairs[1].a, pairs[1].b)).toBeCloseTo(forward[1], 5)
    await model.release()
  })
})
