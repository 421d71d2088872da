import { resolveDecoderConfig } from '../models/config'
import { normals } from '../models/normals'
import { initPreferenceWeights } from '../models/preference'
import { resolvePreferenceConfig } from '../models/preference-config'
import { initWeights, parameterCount } from '../models/weights'
import { Rng } from '../runtime/rng'
import { PreferenceJudge } from '../train/nashmd/judge'
import { SequenceTrainer } from '../train/nashmd/sequence-trainer'
import { peakRssMiB, type Bench } from './bench'
import { BENCH_THREADS } from './matmul'

const BATCH = 8
const PROMPT = 32
const COMPLETION = 32
const VOCAB = 512

/** The phases of a step, as SequenceTrainer times them (seconds). */
const phases = [
  ['samplePolicy', 'time/sample_policy', 'sampling y ~ π'],
  ['sampleOpponent', 'time/sample_opponent', 'sampling y′ ~ (1 − β)·π + β·μ'],
  ['score', 'time/score', 'judging the pairs'],
  ['reference', 'time/reference', 'log μ of y'],
  ['train', 'time/train', 'the train step'],
] as const

/**
 * One Nash-MD-PG step as the bench row defines it: a policy of d 128, 4 layers, 4 heads,
 * vocab 512; batch 8, prompts of 32 tokens, completions of 32 tokens (no EOS, so every completion
 * has all 32); a pairwise preference model of the same size; β = 0.25, 2 threads. Reports the
 * median step time and each phase's share of it (median over the steps of each phase), and the
 * fastest step (the quiet-machine figure). For scale: a lean PyTorch eager implementation of the
 * same step takes about 2.7 s on a 2-core machine, 2.1 s of it sampling.
 */
async function nashmdStep() {
  const architecture = { vocab: VOCAB, dModel: 128, layers: 4, heads: 4, context: 128 }
  const config = resolveDecoderConfig(architecture)
  const weights = initWeights(config, 1)
  const preference = resolvePreferenceConfig('pairwise', architecture)
  const judgeWeights = initPreferenceWeights(preference, 2)
  judgeWeights.set('score.weight', normals(Rng.fromSeed(3), 128, 0.1))
  const session = { intraOpNumThreads: BENCH_THREADS }
  const judge = await PreferenceJudge.create(preference, judgeWeights, 0, { session })
  const trainer = await SequenceTrainer.create(
    // No stop ids: every completion runs to its 32 tokens, as the bench row asks.
    { policy: { config, weights }, reference: { config, weights: initWeights(config, 4) }, judge, stopIds: [], padId: 0, vocabSize: VOCAB },
    {
      algorithm: 'nash-md-pg',
      tau: 0.05,
      kl: 'reward-to-go',
      missingEosPenalty: 0,
      pairOrder: 'auto',
      rewardBaseline: 'none',
      emaDecay: 0,
      batch: BATCH,
      microBatch: BATCH,
      maxTokens: COMPLETION,
      maxPromptTokens: PROMPT,
      temperature: 1,
      optimizer: { kind: 'adamw', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
      clipNorm: 1,
      session,
    },
  )
  const rng = Rng.fromSeed(5)
  const prompts = Array.from({ length: BATCH }, () => ({ ids: Array.from({ length: PROMPT }, () => rng.below(VOCAB - 1)), text: '' }))
  const steps: Record<string, number>[] = []
  const start = performance.now()
  for (let i = 0; i < 2; i++) await trainer.step(prompts, 0.25, 1e-4, rng)
  while (steps.length < 8 || (performance.now() - start < 20_000 && steps.length < 30)) steps.push((await trainer.step(prompts, 0.25, 1e-4, rng)).metrics)
  await trainer.release()
  await judge.release()
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const stepTimes = steps.map((m) => m['time/step'])
  const step = median(stepTimes)
  const metrics: Record<string, { value: number; unit: string }> = {
    stepSeconds: { value: step, unit: 's' },
    stepSecondsBest: { value: Math.min(...stepTimes), unit: 's' },
  }
  const phaseSum = phases.reduce((s, [, key]) => s + median(steps.map((m) => m[key])), 0)
  for (const [name, key] of phases) metrics[`${name}Share`] = { value: (100 * median(steps.map((m) => m[key]))) / phaseSum, unit: '%' }
  metrics.tokensPerSecond = { value: median(steps.map((m) => m['throughput/tokens_per_second'])), unit: 'tokens/s' }
  metrics.completionLength = { value: median(steps.map((m) => m['completions/mean_length'])), unit: 'tokens' }
  metrics.peakRss = { value: peakRssMiB(), unit: 'MiB' }
  return {
    metrics,
    details: {
      steps: steps.length,
      params: parameterCount(config),
      threads: BENCH_THREADS,
      phases: Object.fromEntries(phases.map(([name, key, what]) => [name, { what, medianSeconds: median(steps.map((m) => m[key])) }])),
    },
  }
}

export const nashmdBenches: Bench[] = [
  {
    name: 'nashmd.step-d128',
    group: 'nashmd',
    description: 'Nash-MD-PG step: policy and judge d 128, 4 layers, vocab 512; batch 8, prompt 32, completion 32',
    run: nashmdStep,
  },
]
