import { NashlabError } from '../../api/errors'
import type { NashConfig } from '../../api/nashmd'
import { weightSpecs } from '../../models/weights'
import { Rng } from '../../runtime/rng'
import { latestNashCheckpoint, saveNashCheckpoint, type NashCheckpoint } from './checkpoint'
import type { JudgedPrompt, PairJudge } from './judge'
import { PromptOrder } from './prompt-order'
import { betaAt, learningRateAt } from './schedule'
import { SequenceTrainer, type TrainerModels } from './sequence-trainer'

/** A sample completion shown beside the charts. */
export interface RunSampleText {
  prompt: string
  completion: string
}

/** What a run reports as it goes (a job forwards these to the engine). */
export interface NashRunHooks {
  /** Between steps: pause and cancel take effect here (it throws to stop). */
  check?(): void
  progress?(done: number, total: number): void
  metrics?(step: number, values: Record<string, number>): void
  checkpoint?(step: number, folder: string): void
  samples?(step: number, samples: RunSampleText[]): void
  warn?(message: string): void
}

export interface NashRunInput {
  config: NashConfig
  models: TrainerModels
  /** The judge of the held-out win rate (null: not measured). */
  evalJudge: PairJudge | null
  /** Every prompt of the dataset, encoded for the policy (the held-out split is made here). */
  prompts: readonly JudgedPrompt[]
  /** The policy's decoder of completions (samples shown to the user). */
  decode(ids: readonly number[]): string
  checkpointRoot: string
  /** Continue from the newest checkpoint under checkpointRoot (a fresh start when there is none). */
  resume: boolean
  hooks?: NashRunHooks
}

export interface NashRunResult {
  /** Steps done (the config's steps when it completed). */
  steps: number
  /** The last checkpoint folder. */
  checkpoint: string
  metrics: Record<string, number>
}

/**
 * Independent random streams of one seed (xoshiro jumps, so they never overlap): the sampling and
 * pair-order draws of the steps, the prompt order, the held-out split, and the evaluations (the win
 * rate and the samples redraw the same numbers each time, so their changes come from the policy).
 */
export function streams(seed: number): { sampling: Rng; order: Rng; split: Rng; evaluation: Rng; samples: Rng } {
  const base = Rng.fromSeed(seed)
  const sampling = base.clone()
  const order = base.clone().jump()
  const split = order.clone().jump()
  const evaluation = split.clone().jump()
  const samples = evaluation.clone().jump()
  return { sampling, order, split, evaluation, samples }
}

/** The held-out prompts (win rate, samples) and the training prompts, split by the seed. */
export function splitPrompts<T>(prompts: readonly T[], c: Pick<NashConfig, 'evalPrompts' | 'samplePrompts'>, split: Rng): { train: T[]; heldOut: T[]; samples: T[] } {
  const indices = split.shuffle(Array.from({ length: prompts.length }, (_, i) => i))
  const held = Math.min(c.evalPrompts, Math.floor(prompts.length / 2))
  const heldOut = indices.slice(0, held).map((i) => prompts[i])
  const train = indices.slice(held).map((i) => prompts[i])
  const samples = (heldOut.length > 0 ? heldOut : train).slice(0, c.samplePrompts)
  return { train, heldOut, samples }
}

const due = (every: number, done: number, total: number) => (every > 0 && done % every === 0) || done === total

/**
 * A Nash-MD-PG-family run from step 0 (or its last checkpoint) to `config.steps`: a step per batch
 * of prompts (SequenceTrainer), metrics each step, the held-out win rate against μ every
 * `evalEvery` steps, sample completions every `samplesEvery`, and a checkpoint every
 * `checkpointEvery` steps, at the end, and when the run is stopped (the hooks' check throws): a
 * cancelled run resumes from the step it reached.
 */
export async function runNash(input: NashRunInput): Promise<NashRunResult> {
  const c = input.config
  const hooks = input.hooks ?? {}
  const rngs = streams(c.seed)
  const { train, heldOut, samples } = splitPrompts(input.prompts, c, rngs.split)
  if (train.length === 0) throw new NashlabError('invalid_input', `The dataset "${c.dataset}" has no prompts to train on.`, { field: 'dataset' })
  if (c.temperature !== 1) hooks.warn?.(`Sampling at temperature ${c.temperature}: the Nash-MD-PG estimator is unbiased only at temperature 1.`)

  const resumed: NashCheckpoint | null = input.resume ? latestNashCheckpoint(input.checkpointRoot) : null
  if (resumed && resumed.state.algorithm !== c.algorithm) {
    throw new NashlabError('invalid_input', `The checkpoint ${resumed.folder} is from a ${resumed.state.algorithm} run, not ${c.algorithm}.`)
  }
  const trainer = await SequenceTrainer.create(input.models, settingsOf(c), resumed ? { weights: resumed.weights, optimizer: resumed.optimizer, ema: resumed.ema ?? undefined } : {})
  for (const w of trainer.warnings) hooks.warn?.(w)
  try {
    const rng = resumed ? Rng.fromState(resumed.state.rng) : rngs.sampling
    const order = resumed ? PromptOrder.resume(train.length, resumed.state.data) : PromptOrder.start(train.length, rngs.order)
    const start = resumed?.step ?? 0
    let metrics: Record<string, number> = resumed?.state.metrics ?? {}
    let folder = resumed?.folder ?? ''
    let saved = resumed ? start : -1
    const shapes = new Map(weightSpecs(input.models.policy.config).map((s) => [s.name, s.shape]))
    // The generators as they were when the current step began: a step stopped halfway (a cancel
    // during its sampling) has moved them, and must be redone from there on resume.
    let begun = { rng: rng.save(), data: order.position }
    const save = (step: number, at: typeof begun = { rng: rng.save(), data: order.position }) => {
      folder = saveNashCheckpoint(
        input.checkpointRoot,
        {
          algorithm: c.algorithm,
          step,
          rng: at.rng,
          data: at.data,
          config: c as unknown as Record<string, unknown>,
          metrics,
          weights: trainer.weights(),
          shapes,
          optimizer: trainer.optimizerState(),
          ema: trainer.emaWeights(),
        },
        c.keepCheckpoints,
      )
      saved = step
      hooks.checkpoint?.(step, folder)
    }

    // The reference's completions of the held-out prompts: drawn once from their own stream, so every
    // evaluation (and a resumed run's) compares against the same ones.
    const referenceCompletions = heldOut.length > 0 && input.evalJudge ? (await trainer.sample(heldOut.map((p) => trainer.fitPrompt(p.ids)), rngs.evaluation.clone(), 'reference')).tokens : []
    const evaluate = async (): Promise<Record<string, number>> =>
      input.evalJudge && heldOut.length > 0 ? { 'eval/win_rate': await trainer.winRate(heldOut, referenceCompletions, input.evalJudge, rngs.evaluation.clone().jump()) } : {}
    const showSamples = async (step: number) => {
      if (samples.length === 0) return
      const drawn = await trainer.sample(samples.map((p) => trainer.fitPrompt(p.ids)), rngs.samples.clone())
      hooks.samples?.(step, samples.map((p, i) => ({ prompt: p.text, completion: input.decode(drawn.tokens[i]) })))
    }

    hooks.progress?.(start, c.steps)
    if (start === 0) await showSamples(0)
    let done = start
    try {
      for (let step = start; step < c.steps; step++) {
        hooks.check?.()
        begun = { rng: rng.save(), data: order.position }
        const batch = order.take(c.batch).map((i) => train[i])
        const report = await trainer.step(batch, betaOf(c, step), learningRateAt(c, step), rng, hooks.check)
        done = step + 1
        begun = { rng: rng.save(), data: order.position }
        metrics = report.metrics
        if (c.evalPrompts > 0 && due(c.evalEvery, done, c.steps)) metrics = { ...metrics, ...(await evaluate()) }
        hooks.metrics?.(done, metrics)
        if (due(c.samplesEvery, done, c.steps)) await showSamples(done)
        hooks.progress?.(done, c.steps)
        if (due(c.checkpointEvery, done, c.steps)) save(done)
      }
    } catch (error) {
      // Stopped (cancelled, or the process is shutting down): keep what the run reached.
      if (error instanceof NashlabError && error.code === 'cancelled' && done > saved && done > 0) save(done, begun)
      throw error
    }
    if (!folder) save(done)
    return { steps: done, checkpoint: folder, metrics }
  } finally {
    await trainer.release()
  }
}

/** β of a step: the algorithm fixes it for self-play (0) and best response (1). */
export function betaOf(c: NashConfig, step: number): number {
  if (c.algorithm === 'self-play') return 0
  if (c.algorithm === 'best-response') return 1
  return betaAt(c, step)
}

function settingsOf(c: NashConfig) {
  return {
    algorithm: c.algorithm,
    tau: c.tau,
    kl: c.kl,
    missingEosPenalty: c.missingEosPenalty,
    pairOrder: c.pairOrder,
    rewardBaseline: c.rewardBaseline,
    emaDecay: c.emaDecay,
    batch: c.batch,
    microBatch: c.microBatch,
    maxTokens: c.maxTokens,
    maxPromptTokens: c.maxPromptTokens,
    temperature: c.temperature,
    optimizer: c.optimizer === 'adamw' ? { kind: 'adamw' as const, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, weightDecay: c.weightDecay } : { kind: 'sgd' as const, momentum: c.momentum, weightDecay: c.weightDecay },
    clipNorm: c.clipNorm,
    session: { provider: c.device, ...(c.threads ? { intraOpNumThreads: c.threads } : {}) },
  }
}
