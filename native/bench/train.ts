import * as ort from 'onnxruntime-node'
import { buildGpt, gptParameterCount, gptTrainFlopsPerToken, type GptConfig } from '../models/gpt'
import { Rng } from '../runtime/rng'
import { adamwDefaults } from '../train/optimizer'
import { Trainer } from '../train/trainer'
import { peakRssMiB, timeMedian, type Bench } from './bench'
import { BENCH_THREADS, matmulGflops } from './matmul'

const BATCH = 16
const SEQUENCE = 128

/**
 * One-graph train step (forward, cross-entropy, backward, global-norm clipping, AdamW) of a GPT on
 * batch 16 × 128 tokens, 2 threads. Achieved GFLOP/s counts 6·N·tokens plus attention
 * (gptTrainFlopsPerToken). The MatMul 1024³ ceiling is measured in the same process just before
 * and after the steps, so the ratio holds even when the host is busy. Median figures are the typical
 * step; "best" figures the fastest step against the fastest ceiling run (the quiet-machine value).
 */
async function trainStep(config: Partial<GptConfig>) {
  const { model, config: full } = buildGpt(config, { batch: BATCH, sequence: SEQUENCE, outputs: 'loss' })
  const trainer = await Trainer.create(model, { loss: 'loss', optimizer: { ...adamwDefaults, weightDecay: 0.1 }, clipNorm: 1, session: { intraOpNumThreads: BENCH_THREADS } })
  const rng = Rng.fromSeed(1)
  const tokens = BATCH * SEQUENCE
  const ids = BigInt64Array.from({ length: tokens }, () => BigInt(rng.below(full.vocab)))
  const targets = BigInt64Array.from({ length: tokens }, () => BigInt(rng.below(full.vocab)))
  const batch = { input_ids: new ort.Tensor('int64', ids, [BATCH, SEQUENCE]), targets: new ort.Tensor('int64', targets, [BATCH, SEQUENCE]) }
  const before = await matmulGflops(1024, false)
  const { median, min, runs } = await timeMedian(() => trainer.step(batch, 1e-3), { warmup: 3, minRuns: 8, minMs: 10_000, maxRuns: 40 })
  const after = await matmulGflops(1024, false)
  const ceiling = (before.median + after.median) / 2
  const ceilingBest = Math.max(before.best, after.best)
  const flops = gptTrainFlopsPerToken(full, SEQUENCE) * tokens
  const gflops = flops / median / 1e6
  const gflopsBest = flops / min / 1e6
  return {
    metrics: {
      tokensPerSecond: { value: (tokens / median) * 1000, unit: 'tokens/s' },
      tokensPerSecondBest: { value: (tokens / min) * 1000, unit: 'tokens/s' },
      stepMs: { value: median, unit: 'ms' },
      stepMsBest: { value: min, unit: 'ms' },
      gflops: { value: gflops, unit: 'GFLOP/s' },
      gflopsBest: { value: gflopsBest, unit: 'GFLOP/s' },
      ceiling: { value: ceiling, unit: 'GFLOP/s' },
      ceilingBest: { value: ceilingBest, unit: 'GFLOP/s' },
      ofCeiling: { value: (100 * gflops) / ceiling, unit: '%' },
      ofCeilingBest: { value: (100 * gflopsBest) / ceilingBest, unit: '%' },
      peakRss: { value: peakRssMiB(), unit: 'MiB' },
    },
    details: { params: gptParameterCount(full), gflopPerStep: (gptTrainFlopsPerToken(full, SEQUENCE) * tokens) / 1e9, runs, nodes: trainer.program.model.graph.nodes.length, threads: BENCH_THREADS },
  }
}

export const trainBenches: Bench[] = [
  {
    name: 'train.gpt-d128',
    group: 'train',
    description: 'GPT train step: vocab 256, d 128, 4 layers, 4 heads, batch 16×128',
    run: () => trainStep({ vocab: 256, dModel: 128, layers: 4, heads: 4, context: SEQUENCE }),
  },
  {
    name: 'train.gpt-d256',
    group: 'train',
    description: 'GPT train step: vocab 256, d 256, 6 layers, 8 heads, batch 16×128',
    run: () => trainStep({ vocab: 256, dModel: 256, layers: 6, heads: 8, context: SEQUENCE }),
  },
]
