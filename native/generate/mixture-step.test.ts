import { describe, expect, it } from 'vitest'
import { resolveDecoderConfig } from '../models/config'
import { generationProgram } from '../models/programs'
import { initWeights } from '../models/weights'
import { encodeModel } from '../onnx/encode'
import { Rng } from '../runtime/rng'
import { runLoop, type LoopPart } from './loop'
import { mixtureParts, type WeightedRunner } from './mixture-parts'
import { GraphRunner, NativeRunner } from './runner'

const policyConfig = resolveDecoderConfig({ vocab: 40, dModel: 16, layers: 2, heads: 2, context: 40 })
// Another shape of decoder over the same vocabulary: its own layers, heads, norm, MLP and positions.
const referenceConfig = resolveDecoderConfig({ vocab: 40, dModel: 24, layers: 1, heads: 3, context: 32, norm: 'rmsnorm', mlp: 'swiglu', positions: 'rotary' })
const session = { intraOpNumThreads: 1 }
const prompts = [[3, 7, 1], [5], [9, 2, 2, 8, 4]]

/** Sample 20 tokens per prompt (EOS 0 stops a row) from the given parts. */
function sample(parts: LoopPart[], seed: number) {
  return runLoop(parts, prompts, { settings: { temperature: 1, topK: 0, topP: 1, minP: 0 }, maxTokens: 20, rng: Rng.fromSeed(seed), stopIds: [0], padId: 0, vocabSize: 40 })
}

/** One part per model, mixed by the loop: the path of imported models. */
const separate = (members: WeightedRunner[]): LoopPart[] => members.map((m) => ({ rows: m.runner.rows(), weight: m.weight }))

describe('mixture step program', () => {
  it('samples the same tokens with one session run per token as the models run one by one, for every weight and after new weights', async () => {
    const policy = await NativeRunner.create(policyConfig, initWeights(policyConfig, 1), { weights: 'inputs', session })
    const reference = await NativeRunner.create(referenceConfig, initWeights(referenceConfig, 2), { session })
    for (const [round, beta] of [0.25, 0.5, 0, 1, 0.9].entries()) {
      if (round === 3) policy.setWeights(initWeights(policyConfig, 7))
      const members = [
        { runner: policy, weight: 1 - beta },
        { runner: reference, weight: beta },
      ]
      const combined = await mixtureParts(members)
      expect(combined).toHaveLength(1)
      const a = await sample(combined, 11 + round)
      const b = await sample(separate(members), 11 + round)
      expect(a.tokens).toEqual(b.tokens)
      expect(a.finish).toEqual(b.finish)
      a.logprobs.forEach((row, r) => row.forEach((lp, t) => expect(lp).toBeCloseTo(b.logprobs[r][t], 4)))
    }
    // The program is made once per pair of runners and kept.
    expect(await policy.mixtureWith([reference])).toBe(await policy.mixtureWith([reference]))
    await Promise.all([policy.release(), reference.release()])
  })

  it('keeps one part per model for an imported model, and for a single model', async () => {
    const weights = initWeights(policyConfig, 3)
    const native = await NativeRunner.create(policyConfig, weights, { session })
    const io = { layers: 2, kvHeads: 2, headSize: 8, vocabSize: 40, positionIds: true, context: 40 }
    const imported = await GraphRunner.create(encodeModel(generationProgram(policyConfig, weights)), io, session)
    const members = [
      { runner: native, weight: 0.5 },
      { runner: imported, weight: 0.5 },
    ]
    expect(await mixtureParts(members)).toHaveLength(2)
    expect(await mixtureParts([{ runner: native, weight: 1 }])).toHaveLength(1)
    // The same weights in both: the mixture of a model with itself is the model.
    const mixed = await sample(await mixtureParts(members), 4)
    const alone = await sample([{ rows: native.rows(), weight: 1 }], 4)
    expect(mixed.tokens).toEqual(alone.tokens)
    await Promise.all([native.release(), imported.release()])
  })
})
