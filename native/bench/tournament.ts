import { options, prompts } from '../demo/restaurants'
import { restaurantOracle } from '../demo/oracle'
import { runTournament, type Judge, type Player } from '../eval/tournament'
import { Policy } from '../generate/policy'
import { NativeRunner } from '../generate/runner'
import { resolveDecoderConfig } from '../models/config'
import { preferenceWeightSpecs } from '../models/preference'
import { resolvePreferenceConfig } from '../models/preference-config'
import { PreferenceModel } from '../models/preference-model'
import { plainTemplate } from '../models/tokenizer/template'
import { trainByteLevelBpe } from '../models/tokenizer/train'
import { initWeights, type Weights } from '../models/weights'
import { Rng } from '../runtime/rng'
import { peakRssMiB, timeMedian, type Bench } from './bench'
import { BENCH_THREADS } from './matmul'

/**
 * How fast a tournament's judge scores pairs: the demo's rater population (a keyword match and a
 * random rater per pair) and pairwise preference models of two sizes (one ONNX Runtime run per 64
 * pairs, both sequences of a pair in one batch); and a whole round robin of three tiny policies
 * (generation included). Pairs are restaurant recommendations of 15–25 tokens after a prompt.
 */
const { tokenizer } = trainByteLevelBpe([...Object.values(options), ...prompts], { vocabSize: 300, minFrequency: 1 })
const PAIRS = 512

function pairs(count: number) {
  const rng = Rng.fromSeed(3)
  const texts = [...Object.values(options), 'Anywhere is fine.', 'Let me check the map first.', 'Try the sushi bar, then tacos.']
  return Array.from({ length: count }, () => ({ prompt: prompts[rng.below(prompts.length)], a: texts[rng.below(texts.length)], b: texts[rng.below(texts.length)] }))
}

async function judgeSpeed(judge: Judge) {
  const batch = pairs(PAIRS)
  const { median, runs } = await timeMedian(() => judge.prefer(batch, 1), { warmup: 2, minRuns: 5, minMs: 3000, maxRuns: 200 })
  return { metrics: { pairsPerSecond: { value: (PAIRS / median) * 1000, unit: 'pairs/s' }, msPer512: { value: median, unit: 'ms' }, peakRss: { value: peakRssMiB(), unit: 'MiB' } }, details: { runs, pairs: PAIRS } }
}

async function preferenceJudge(trunk: { dModel: number; layers: number; heads: number }) {
  const config = resolvePreferenceConfig('pairwise', resolveDecoderConfig({ vocab: tokenizer.vocabSize, context: 128, ...trunk }))
  const rng = Rng.fromSeed(4)
  const weights: Weights = new Map(preferenceWeightSpecs(config).map((s) => [s.name, Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => (s.name.endsWith('.scale') ? 1 : rng.normal() * 0.1))]))
  const model = await PreferenceModel.create(config, weights, tokenizer, plainTemplate, { intraOpNumThreads: BENCH_THREADS })
  const judge: Judge = {
    name: 'pref',
    antisymmetric: true,
    async prefer(batch) {
      const out: number[] = []
      for (let start = 0; start < batch.length; start += 64) out.push(...(await model.scoreBatch(batch.slice(start, start + 64), { batch: 64 })))
      return out
    },
  }
  return { model, judge }
}

async function roundRobin() {
  const architecture = resolveDecoderConfig({ vocab: tokenizer.vocabSize, dModel: 16, layers: 1, heads: 2, context: 96 })
  const policies = await Promise.all([1, 2, 3].map(async (seed) => new Policy(await NativeRunner.create(architecture, initWeights(architecture, seed), { session: { intraOpNumThreads: BENCH_THREADS } }), tokenizer, plainTemplate)))
  const players: Player[] = policies.map((policy, i) => ({
    label: `p${i}`,
    respond: async (list, seed) => (await policy.sample(list, { seed, maxTokens: 16 })).map((c) => c.text),
  }))
  const { model, judge } = await preferenceJudge({ dModel: 16, layers: 1, heads: 2 })
  const n = 200
  const started = performance.now()
  await runTournament({ players, judge, prompts, n, bootstrap: 200 })
  const seconds = (performance.now() - started) / 1000
  for (const p of policies) await p.release()
  await model.release()
  const items = 3 * n + 3 * n
  return { metrics: { itemsPerSecond: { value: items / seconds, unit: 'items/s' }, seconds: { value: seconds, unit: 's' }, peakRss: { value: peakRssMiB(), unit: 'MiB' } }, details: { players: 3, n, maxTokens: 16, items } }
}

export const tournamentBenches: Bench[] = [
  {
    name: 'tournament.judge-oracle',
    group: 'tournament',
    description: 'Oracle judge (demo rater population): pairs judged per second',
    run: () => judgeSpeed(restaurantOracle()),
  },
  {
    name: 'tournament.judge-pref-d16',
    group: 'tournament',
    description: 'Pairwise preference judge, d 16, 1 layer: pairs judged per second (2 threads)',
    run: async () => {
      const { model, judge } = await preferenceJudge({ dModel: 16, layers: 1, heads: 2 })
      try {
        return await judgeSpeed(judge)
      } finally {
        await model.release()
      }
    },
  },
  {
    name: 'tournament.judge-pref-d128',
    group: 'tournament',
    description: 'Pairwise preference judge, d 128, 4 layers: pairs judged per second (2 threads)',
    run: async () => {
      const { model, judge } = await preferenceJudge({ dModel: 128, layers: 4, heads: 4 })
      try {
        return await judgeSpeed(judge)
      } finally {
        await model.release()
      }
    },
  },
  {
    name: 'tournament.round-robin-d16',
    group: 'tournament',
    description: 'Round robin of 3 tiny policies (d 16), n 200, 16 tokens, d 16 preference judge: responses + judged pairs per second',
    run: roundRobin,
  },
]
