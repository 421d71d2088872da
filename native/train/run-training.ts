import { NashlabError } from '../api/errors'
import type { Model } from '../onnx/model'
import { ort } from '../runtime/ort'
import { Rng } from '../runtime/rng'
import type { Weights } from '../models/weights'
import type { OptimizerConfig } from './optimizer'
import { constantSchedule, cosineSchedule, linearSchedule, type Schedule } from './schedule'
import type { TrainConfig } from './train-config'
import { loadTrainCheckpoint, saveTrainCheckpoint, type DataPosition, type TrainState } from './train-checkpoint'
import { Trainer, type Feeds } from './trainer'

/** What a trainer reports while it runs (a job forwards these to the engine). */
export interface TrainingHooks {
  /** Between steps: pause and cancel take effect here. */
  check?(): void
  progress?(done: number, total: number): void
  /** Metrics of step `step`, counted from 0 (the dashboard's convention; a checkpoint's step counts steps done). */
  metrics?(step: number, values: Record<string, number>): void
  checkpoint?(step: number, folder: string): void
  /** A sentence the user should see that does not stop the run (the device fell back to the CPU). */
  warn?(message: string): void
}

/** One trainer's specifics: how a micro-batch of examples becomes feeds, and what to evaluate. */
export interface TrainingSpec<E> {
  algorithm: string
  config: TrainConfig
  /** The full resolved run config stored in checkpoints. */
  runConfig: Record<string, unknown>
  /** The forward graph of one micro-batch with a scalar `loss` output; trained weights are its initializers. */
  forward: Model
  /** Sizes of the forward graph's symbolic dims (an imported graph's batch and sequence). */
  dims?: Record<string, number>
  /** Names of the trained initializers, and whether weight decay applies to each. */
  trainable: { name: string; shape: number[]; decay: boolean }[]
  examples: readonly E[]
  /** Feeds of one micro-batch of exactly `config.microBatch` examples, and its gradient weight (e.g. counted tokens). */
  feeds(batch: readonly E[]): { feeds: Feeds; weight: number }
  /** Held-out metrics with the current weights (called every evalEvery steps and at the end). */
  evaluate?(trainer: Trainer): Promise<Record<string, number>>
  checkpointRoot: string
  /** Resume from this checkpoint folder (its weights, optimizer state, step, RNG and data position). */
  resumeFrom?: string
  hooks?: TrainingHooks
}

export interface TrainingResult {
  steps: number
  /** The final checkpoint folder. */
  checkpoint: string
  metrics: Record<string, number>
  weights: Weights
}

/** The learning rate of each step. */
export function scheduleOf(c: TrainConfig): Schedule {
  if (c.schedule === 'constant') return constantSchedule(c.lr)
  if (c.schedule === 'linear') return linearSchedule(c.lr, c.warmup, c.steps, c.minLr)
  return cosineSchedule(c.lr, c.warmup, c.steps, c.minLr)
}

export function optimizerOf(c: TrainConfig): OptimizerConfig {
  return c.optimizer === 'adamw'
    ? { kind: 'adamw', beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, weightDecay: c.weightDecay }
    : { kind: 'sgd', momentum: c.momentum, weightDecay: c.weightDecay }
}

/**
 * Example order: each epoch is a permutation of the examples drawn from the run's generator; the
 * generator's state before the draw is the data position's `orderRng`, so a resumed run redraws
 * the same permutation and continues at the same offset.
 */
class ExampleOrder {
  private order: number[] = []

  constructor(
    private readonly count: number,
    private readonly rng: Rng,
    public position: DataPosition,
  ) {
    this.order = this.permutation(position.orderRng)
  }

  static start(count: number, rng: Rng): ExampleOrder {
    const orderRng = rng.save()
    const order = new ExampleOrder(count, rng, { epoch: 0, offset: 0, orderRng })
    rng.shuffle(Array.from({ length: count }, (_, i) => i)) // move the run's generator past the draw
    return order
  }

  private permutation(state: DataPosition['orderRng']): number[] {
    return Rng.fromState(state).shuffle(Array.from({ length: this.count }, (_, i) => i))
  }

  /** The next `n` example indices, starting a new epoch (a new permutation) when one runs out. */
  take(n: number): number[] {
    const out: number[] = []
    while (out.length < n) {
      if (this.position.offset >= this.count) {
        const orderRng = this.rng.save()
        this.order = this.permutation(orderRng)
        this.rng.shuffle(Array.from({ length: this.count }, (_, i) => i))
        this.position = { epoch: this.position.epoch + 1, offset: 0, orderRng }
      }
      out.push(this.order[this.position.offset])
      this.position = { ...this.position, offset: this.position.offset + 1 }
    }
    return out
  }
}

/**
 * The training loop every trainer shares: an exact-resume data order, micro-batch accumulation
 * normalised over the effective batch (gradient weight = counted tokens or pairs), the learning
 * rate schedule, metrics per step (loss, learning_rate, grad_norm, epoch), held-out evaluation and
 * crash-safe checkpoints in the documented format (train-checkpoint.ts).
 */
export async function runTraining<E>(spec: TrainingSpec<E>): Promise<TrainingResult> {
  const c = spec.config
  if (spec.examples.length === 0) throw new NashlabError('invalid_input', `There are no training examples for ${spec.algorithm}.`)
  const hooks = spec.hooks ?? {}
  let forward = spec.forward
  let startStep = 0
  let rng = Rng.fromSeed(c.seed)
  let order: ExampleOrder
  let resumedOptimizer: Map<string, Float32Array> | undefined
  if (spec.resumeFrom) {
    const checkpoint = loadTrainCheckpoint(spec.resumeFrom)
    if (checkpoint.state.algorithm !== spec.algorithm) {
      throw new NashlabError('invalid_input', `The checkpoint ${spec.resumeFrom} is from a ${checkpoint.state.algorithm} run, not ${spec.algorithm}.`)
    }
    forward = withWeights(forward, checkpoint.weights)
    startStep = checkpoint.step
    rng = Rng.fromState(checkpoint.state.rng)
    order = new ExampleOrder(spec.examples.length, rng, checkpoint.state.data)
    resumedOptimizer = checkpoint.optimizer
  } else {
    order = ExampleOrder.start(spec.examples.length, rng)
  }
  const decay = new Map(spec.trainable.map((t) => [t.name, t.decay]))
  const accumulation = c.batch / c.microBatch
  const trainer = await Trainer.create(forward, {
    loss: 'loss',
    trainable: spec.trainable.map((t) => t.name),
    decay: (name) => decay.get(name) ?? false,
    optimizer: optimizerOf(c),
    clipNorm: c.clipNorm > 0 ? c.clipNorm : undefined,
    accumulation,
    ...(spec.dims ? { dims: spec.dims } : {}),
    session: { provider: c.device, ...(c.threads ? { intraOpNumThreads: c.threads } : {}) },
  })
  for (const w of trainer.warnings) hooks.warn?.(w)
  if (resumedOptimizer) trainer.loadOptimizerState(resumedOptimizer, `The checkpoint ${spec.resumeFrom}`)
  const schedule = scheduleOf(c)
  let metrics: Record<string, number> = {}
  let folder = spec.resumeFrom ?? ''
  const save = (step: number) => {
    const state: TrainState = { format: 'nashlab-train', version: 1, algorithm: spec.algorithm, step, rng: rng.save(), data: order.position, config: spec.runConfig, metrics }
    const shapes = new Map(spec.trainable.map((t) => [t.name, t.shape]))
    const weights = new Map(spec.trainable.map((t) => [t.name, trainer.values.get(t.name)!]))
    const optimizer = trainer.optimizerState()
    folder = saveTrainCheckpoint(spec.checkpointRoot, { state, weights, shapes, optimizer }, c.keepCheckpoints)
    hooks.checkpoint?.(step, folder)
  }
  hooks.progress?.(startStep, c.steps)
  for (let step = startStep; step < c.steps; step++) {
    hooks.check?.()
    const micro: Feeds[] = []
    const weights: number[] = []
    for (let k = 0; k < accumulation; k++) {
      const batch = order.take(c.microBatch).map((i) => spec.examples[i])
      const { feeds, weight } = spec.feeds(batch)
      micro.push(feeds)
      weights.push(weight)
    }
    const learningRate = schedule(step)
    const result = await trainer.step(accumulation === 1 ? micro[0] : micro, learningRate, accumulation === 1 ? undefined : weights)
    if (!Number.isFinite(result.loss)) {
      throw new NashlabError('internal', `The ${spec.algorithm} loss became ${result.loss} at step ${step + 1} (learning rate ${learningRate}); lower the learning rate or clip gradients.`, { step: step + 1 })
    }
    const done = step + 1
    metrics = { loss: result.loss, learning_rate: learningRate, grad_norm: result.gradNorm, epoch: order.position.epoch + order.position.offset / spec.examples.length }
    if (spec.evaluate && ((c.evalEvery > 0 && done % c.evalEvery === 0) || done === c.steps)) metrics = { ...metrics, ...(await spec.evaluate(trainer)) }
    hooks.metrics?.(step, metrics)
    hooks.progress?.(done, c.steps)
    if (done % c.checkpointEvery === 0 || done === c.steps) save(done)
  }
  if (startStep >= c.steps && !folder) save(startStep)
  return { steps: c.steps, checkpoint: folder, metrics, weights: new Map(spec.trainable.map((t) => [t.name, trainer.values.get(t.name)!])) }
}

/** The forward graph with other values for its weight initializers. */
export function withWeights(forward: Model, weights: Weights): Model {
  const initializers = forward.graph.initializers.map((t) => {
    const data = weights.get(t.name)
    return data ? { ...t, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) } : t
  })
  return { ...forward, graph: { ...forward.graph, initializers } }
}

/** int64 feeds of a (rows, width) block. */
export function int64(data: BigInt64Array, rows: number, width: number): ort.Tensor {
  return new ort.Tensor('int64', data, [rows, width])
}
