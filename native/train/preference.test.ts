import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { PreferenceModel } from '../models/preference-model'
import { initPreferenceWeights } from '../models/preference'
import { resolvePreferenceConfig } from '../models/preference-config'
import { plainTemplate } from '../models/tokenizer/template'
import { trainByteLevelBpe } from '../models/tokenizer/train'
import { outcomeLabel, preferenceMetrics, resolvePreferenceTrainConfig, runPreferenceTraining, type Judgement } from './preference'

const [A, B, C] = ['tacos', 'ramen', 'pizza']
/** Three rater types whose rankings cycle: A beats B, B beats C and C beats A, each 2 to 1, in both orders. */
const cycle: Judgement[] = [
  [A, B],
  [B, C],
  [C, A],
].flatMap(([winner, loser]) => [
  ...Array.from({ length: 2 }, () => [{ prompt: 'dinner?', a: winner, b: loser, outcome: 'a' as const }, { prompt: 'dinner?', a: loser, b: winner, outcome: 'b' as const }]).flat(),
  { prompt: 'dinner?', a: winner, b: loser, outcome: 'b' as const },
  { prompt: 'dinner?', a: loser, b: winner, outcome: 'a' as const },
])
const { tokenizer } = trainByteLevelBpe([A, B, C, 'dinner?'], { vocabSize: 262, minFrequency: 1 })
const trunk = { vocab: tokenizer.vocabSize, dModel: 16, layers: 1, heads: 2, context: 16 }
const dirs: string[] = []
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })))

describe('preference and reward model training', () => {
  it('labels outcomes (tie ½, both bad left out unless asked) and measures accuracy, log-loss and calibration', () => {
    expect([outcomeLabel('a', false), outcomeLabel('b', false), outcomeLabel('tie', false), outcomeLabel('both_bad', false), outcomeLabel('both_bad', true)]).toEqual([1, 0, 0.5, null, 0.5])
    const m = preferenceMetrics([0.9, 0.2, 0.6, 0.5], [1, 0, 0, 0.5])
    expect(m.accuracy).toBeCloseTo(2 / 3, 12)
    expect(m.logLoss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.4) + Math.log(0.5)) / 4, 12)
    // Bins: 0.2 → |0.2 − 0|, 0.5 and 0.6 share no bin (0.5 → bin 5, 0.6 → bin 6), 0.9 → |0.9 − 1|.
    expect(m.calibrationError).toBeCloseTo((0.2 + 0 + 0.6 + 0.1) / 4, 12)
  })

  it('the pairwise model learns a preference cycle that a Bradley–Terry reward cannot represent', async () => {
    const results: Record<string, { p: number[]; logLoss: number }> = {}
    for (const kind of ['pairwise', 'bt'] as const) {
      const model = resolvePreferenceConfig(kind, trunk)
      const run = { steps: 150, batch: 18, lr: 0.01, warmup: 5, holdout: 0, threads: 1, checkpointEvery: 1000, seed: 2 }
      const config = resolvePreferenceTrainConfig(run, model)
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-pref-'))
      dirs.push(root)
      const result = await runPreferenceTraining({ model, config, runConfig: run, weights: initPreferenceWeights(model, 1), tokenizer, template: plainTemplate, judgements: cycle, checkpointRoot: root})
      expect(result.trainPairs).toBe(cycle.length)
      const judge = await PreferenceModel.create(model, result.weights, tokenizer, plainTemplate, { intraOpNumThreads: 1 })
      const p = Array.from(await judge.scoreBatch([{ prompt: 'dinner?', a: A, b: B }, { prompt: 'dinner?', a: B, b: C }, { prompt: 'dinner?', a: C, b: A }]))
      results[kind] = { p, logLoss: preferenceMetrics(await judge.scoreBatch(cycle), cycle.map((j) => outcomeLabel(j.outcome, false)!)).logLoss }
      await judge.release()
    }
    // Full-batch training reaches the optimum: P = 2/3 around the cycle, log-loss H(2/3) = 0.6365.
    for (const p of results.pairwise.p) expect(p).toBeCloseTo(2 / 3, 1)
    const entropy = -(2 / 3) * Math.log(2 / 3) - (1 / 3) * Math.log(1 / 3)
    expect(results.pairwise.logLoss).toBeLessThan(entropy + 0.01)
    // r(A) > r(B) > r(C) > r(A) is impossible: the best a single score can do is ½ around the cycle, log-loss ln 2.
    for (const p of results.bt.p) expect(Math.abs(p - 0.5)).toBeLessThan(0.03)
    expect(results.bt.logLoss).toBeGreaterThan(Math.log(2) - 0.005)
  })
})
