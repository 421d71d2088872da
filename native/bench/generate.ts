import { DecoderBatch, type DecoderIo, type DecoderRows } from '../generate/decoder-session'
import { FullRows } from '../generate/full-rows'
import { runLoop, type LoopPart } from '../generate/loop'
import { cores } from '../generate/member-thread'
import { mixtureParts } from '../generate/mixture-parts'
import { NativeRunner, narrowStepRows } from '../generate/runner'
import { SlotBatch, type NarrowStep } from '../generate/slot-batch'
import { resolveDecoderConfig, type DecoderConfig } from '../models/config'
import { forwardProgram, generationProgram } from '../models/programs'
import { initPreferenceWeights } from '../models/preference'
import { resolvePreferenceConfig } from '../models/preference-config'
import { PreferenceModel } from '../models/preference-model'
import { trainByteLevelBpe } from '../models/tokenizer/train'
import { plainTemplate } from '../models/tokenizer/template'
import { initWeights } from '../models/weights'
import { encodeModel } from '../onnx/encode'
import { Rng } from '../runtime/rng'
import { createSession } from '../runtime/session'
import { peakRssMiB, timeMedian, type Bench } from './bench'
import { BENCH_THREADS } from './matmul'

/** The d 128 decoder of the targets: vocab 256, 4 layers, 4 heads, context 256 (0.8 M parameters). */
const d128: DecoderConfig = resolveDecoderConfig({ vocab: 256, dModel: 128, layers: 4, heads: 4, context: 256 })
const NEW_TOKENS = 128
const PROMPT = 8
const session = { intraOpNumThreads: BENCH_THREADS }

function io(c: DecoderConfig): DecoderIo {
  return { layers: c.layers, kvHeads: c.heads, headSize: c.dModel / c.heads, vocabSize: c.vocab, positionIds: true, context: c.context }
}

/**
 * The sessions of one d 128 model: the slot step as NativeRunner runs it (BENCH_THREADS, with its
 * one-thread session of the one-position step program for small steps), the standard concat step,
 * and the full forward (no cache) on BENCH_THREADS and on one thread: the no-cache baseline is
 * whichever of the two is faster.
 */
async function programs(seed: number) {
  const weights = initWeights(d128, seed)
  const slotProgram = encodeModel(generationProgram(d128, weights, { cache: 'slots', logits: 'last' }))
  const fullProgram = encodeModel(forwardProgram(d128, weights, { logits: 'last' }))
  const [slots, narrow, standard, full, fullOne] = await Promise.all([
    createSession(slotProgram, session),
    createSession(encodeModel(generationProgram(d128, weights, { cache: 'slots', logits: 'last', sequence: 'one' })), { intraOpNumThreads: 1 }),
    createSession(encodeModel(generationProgram(d128, weights, { cache: 'concat', logits: 'last' })), session),
    createSession(fullProgram, session),
    createSession(fullProgram, { intraOpNumThreads: 1 }),
  ])
  const step: NarrowStep = { session: narrow.session, rows: narrowStepRows(d128) }
  return { slots: () => new SlotBatch(slots.session, io(d128), {}, step), standard: standard.session, full: full.session, fullOne: fullOne.session }
}

function prompts(batch: number): number[][] {
  const rng = Rng.fromSeed(3)
  return Array.from({ length: batch }, () => Array.from({ length: PROMPT }, () => rng.below(256)))
}

/** One sampling run: NEW_TOKENS tokens per row (temperature 1, no EOS stop); its milliseconds and tokens. */
async function sampleOnce(parts: LoopPart[], batch: number): Promise<{ ms: number; cpuMs: number; tokens: number[][] }> {
  const started = performance.now()
  const cpu = process.cpuUsage()
  const result = await runLoop(parts, prompts(batch), { settings: { temperature: 1, topK: 0, topP: 1, minP: 0 }, maxTokens: NEW_TOKENS, rng: Rng.fromSeed(1), stopIds: [], padId: 0, vocabSize: 256 })
  const used = process.cpuUsage(cpu)
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, tokens: result.tokens }
}

/**
 * Time several ways of sampling the same thing, interleaved (a, b, c, a, b, c, …) so that load
 * from other processes falls on all of them alike; medians and minima per way, of wall-clock time
 * and of the process's CPU time (all its threads; less disturbed by other processes). `same`: the ways
 * named in `alike` sampled the same tokens.
 */
async function interleaved(ways: Record<string, () => LoopPart[] | Promise<LoopPart[]>>, batch: number, rounds: number, alike: readonly string[] = Object.keys(ways)) {
  const times: Record<string, number[]> = {}
  const cpuTimes: Record<string, number[]> = {}
  const tokens: Record<string, string> = {}
  for (const parts of Object.values(ways)) await sampleOnce(await parts(), batch) // warm up
  for (let round = 0; round < rounds; round++) {
    for (const [name, parts] of Object.entries(ways)) {
      const run = await sampleOnce(await parts(), batch)
      ;(times[name] ??= []).push(run.ms)
      ;(cpuTimes[name] ??= []).push(run.cpuMs)
      tokens[name] = JSON.stringify(run.tokens)
    }
  }
  const median = (t: number[]) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)]
  const stats = Object.fromEntries(Object.entries(times).map(([name, t]) => [name, { median: median(t), min: Math.min(...t), cpu: median(cpuTimes[name]) }]))
  const same = new Set(alike.map((name) => tokens[name])).size === 1
  return { stats, same }
}

/**
 * Sampling 128 new tokens after an 8-token prompt with the d 128 decoder, at batch 1 and 8: the
 * slot KV cache (what Nashlab samples with), the standard concat cache (what exported models do)
 * and no cache (the full forward over each whole row every step, on BENCH_THREADS or one thread,
 * whichever is faster). Target: cache ≥ 5× no cache.
 * Every form samples the same tokens (same weights, same generator).
 */
async function kvCache(batch: number) {
  const s = await programs(1)
  const one = (make: () => DecoderRows) => () => [{ rows: make(), weight: 1 }]
  const { stats, same } = await interleaved(
    {
      slots: one(s.slots),
      standard: one(() => new DecoderBatch(s.standard, io(d128))),
      none: one(() => new FullRows(s.full, io(d128))),
      noneOneThread: one(() => new FullRows(s.fullOne, io(d128))),
    },
    batch,
    5,
  )
  const none = stats.none.median <= stats.noneOneThread.median ? stats.none : stats.noneOneThread
  const rate = (ms: number) => (batch * NEW_TOKENS * 1000) / ms
  return {
    metrics: {
      cachedTokensPerSecond: { value: rate(stats.slots.median), unit: 'tokens/s' },
      standardCacheTokensPerSecond: { value: rate(stats.standard.median), unit: 'tokens/s' },
      noCacheTokensPerSecond: { value: rate(none.median), unit: 'tokens/s' },
      speedup: { value: none.median / stats.slots.median, unit: '×' },
      speedupBest: { value: Math.min(stats.none.min, stats.noneOneThread.min) / stats.slots.min, unit: '×' },
      speedupCpuTime: { value: Math.min(stats.none.cpu, stats.noneOneThread.cpu) / stats.slots.cpu, unit: '×' },
      standardCacheSpeedup: { value: none.median / stats.standard.median, unit: '×' },
      peakRss: { value: peakRssMiB(), unit: 'MiB' },
    },
    details: {
      batch,
      promptTokens: PROMPT,
      newTokens: NEW_TOKENS,
      sameTokens: same,
      rounds: 5,
      threads: BENCH_THREADS,
      narrowStepRows: narrowStepRows(d128),
      noCacheMs: { [`${BENCH_THREADS} threads`]: stats.none.median, '1 thread': stats.noneOneThread.median },
    },
  }
}

/**
 * Geometric mixture of two d 128 models (each with its own slot KV cache, both fed the sampled
 * token) against one model, `batch` × 128 new tokens (rows: batch 8, and 16, the default batch of
 * Nash-MD-PG's opponent samples, wider than one model's one-thread steps), three ways: what Nashlab samples mixtures with
 * (`mixture`: mixtureParts, here the parallel mixture, each model on its own core, parallel-mixture.ts),
 * the one-graph mixture step program (`program`: both models and Σ w_i z_i in one graph, one session
 * run per token: what runs where the parallel form does not apply), and, for the record, the two
 * models run one by one with the loop mixing their logits (imported models). Target: mixture ≤ 2.2×
 * one model. The three ways sample the same tokens. CPU time counts every thread of the process.
 */
async function mixture(batch: number) {
  const [a, b] = await Promise.all([NativeRunner.create(d128, initWeights(d128, 1), { session }), NativeRunner.create(d128, initWeights(d128, 2), { session })])
  const members = [
    { runner: a, weight: 0.75 },
    { runner: b, weight: 0.25 },
  ]
  const step = await a.mixtureWith([b])
  // The sampler's batches: each records whether it ran on the member thread (the mixture moves to the
  // program while the thread gets no core of its own).
  const batches: { inParallel?: boolean }[] = []
  const { stats, same } = await interleaved(
    {
      single: () => [{ rows: a.rows(), weight: 1 }],
      // The sampler's parts, made before each timed run (the member thread is started once, by the warm-up).
      mixture: async () => {
        const parts = await mixtureParts(members)
        batches.push(parts[0].rows as { inParallel?: boolean })
        return parts
      },
      program: () => [{ rows: step.rows([0.75, 0.25]), weight: 1 }],
      separate: () => members.map((m) => ({ rows: m.runner.rows(), weight: m.weight })),
    },
    batch,
    7,
    ['mixture', 'program', 'separate'],
  )
  await Promise.all([a.release(), b.release()])
  return {
    metrics: {
      singleMs: { value: stats.single.median, unit: 'ms' },
      mixtureMs: { value: stats.mixture.median, unit: 'ms' },
      costRatio: { value: stats.mixture.median / stats.single.median, unit: '×' },
      costRatioBest: { value: stats.mixture.min / stats.single.min, unit: '×' },
      costRatioCpuTime: { value: stats.mixture.cpu / stats.single.cpu, unit: '×' },
      programCostRatio: { value: stats.program.median / stats.single.median, unit: '×' },
      programCostRatioBest: { value: stats.program.min / stats.single.min, unit: '×' },
      programCostRatioCpuTime: { value: stats.program.cpu / stats.single.cpu, unit: '×' },
      separateCostRatio: { value: stats.separate.median / stats.single.median, unit: '×' },
      separateCostRatioCpuTime: { value: stats.separate.cpu / stats.single.cpu, unit: '×' },
      peakRss: { value: peakRssMiB(), unit: 'MiB' },
    },
    details: { batch, newTokens: NEW_TOKENS, rounds: 7, threads: BENCH_THREADS, sameTokens: same, mixtureRunsInParallel: `${batches.filter((r) => r.inParallel).length} of ${batches.length}`, cores: cores() },
  }
}

/**
 * Pairs scored per second by the pairwise preference model on a d 128 trunk (4 layers, context 128),
 * 32 pairs per run (64 rows of ~123 tokens: ≈ 12 GFLOP); also per second of the process's CPU time.
 */
async function preferenceScoring() {
  const texts = ['Try Kaito for sushi: the omakase is fresh and the room is quiet enough to talk.', 'Go to Trattoria Bella: handmade pasta, generous portions, and they take walk-ins.', 'Head to the taco stand on 5th: fast, cheap, and the al pastor is excellent.']
  const { tokenizer } = trainByteLevelBpe(texts, { vocabSize: 300, minFrequency: 1 })
  const config = resolvePreferenceConfig('pairwise', { vocab: tokenizer.vocabSize, dModel: 128, layers: 4, heads: 4, context: 128 })
  const weights = initPreferenceWeights(config, 1)
  const model = await PreferenceModel.create(config, weights, tokenizer, plainTemplate, session)
  const pairs = Array.from({ length: 32 }, (_, i) => ({ prompt: 'Where should we go for dinner tonight?', a: texts[i % 3], b: texts[(i + 1) % 3] }))
  const tokens = pairs.map((p) => model.tokenizer.encode(`${p.prompt}${p.a}${p.b}`).length + 3)
  let cpuMs = 0
  const time = await timeMedian(
    async () => {
      const cpu = process.cpuUsage()
      await model.scoreBatch(pairs, { batch: 32 })
      const used = process.cpuUsage(cpu)
      cpuMs += (used.user + used.system) / 1000
    },
    { warmup: 2, minRuns: 5, minMs: 5000, maxRuns: 200 },
  )
  // CPU time per run over warm-up and timed runs alike (all threads of the process).
  const cpuPerRun = cpuMs / (time.runs + 2)
  await model.release()
  return {
    metrics: {
      pairsPerSecond: { value: (pairs.length * 1000) / time.median, unit: 'pairs/s' },
      pairsPerSecondBest: { value: (pairs.length * 1000) / time.min, unit: 'pairs/s' },
      batchMs: { value: time.median, unit: 'ms' },
      pairsPerCpuSecond: { value: (pairs.length * 1000) / cpuPerRun, unit: 'pairs/s' },
      peakRss: { value: peakRssMiB(), unit: 'MiB' },
    },
    details: { pairsPerRun: pairs.length, tokensPerPair: Math.max(...tokens), threads: BENCH_THREADS },
  }
}

export const generateBenches: Bench[] = [
  { name: 'generate.kv-b1', group: 'generate', description: 'd 128 decoder, 128 new tokens, batch 1: KV cache vs none (target ≥ 5×)', run: () => kvCache(1) },
  { name: 'generate.kv-b8', group: 'generate', description: 'd 128 decoder, 128 new tokens, batch 8: KV cache vs none (target ≥ 5×)', run: () => kvCache(8) },
  { name: 'generate.mixture', group: 'generate', description: 'Geometric mixture of two d 128 models vs one, batch 8 × 128 tokens (target ≤ 2.2×)', run: () => mixture(8) },
  { name: 'generate.mixture-b16', group: 'generate', description: 'The same at batch 16 (Nash-MD-PG\'s default batch of opponent samples)', run: () => mixture(16) },
  { name: 'preference.score-d128', group: 'preference', description: 'Pairwise preference model, d 128 trunk: pairs scored per second (32 per run)', run: preferenceScoring },
]
