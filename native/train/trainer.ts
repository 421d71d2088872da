import * as ort from 'onnxruntime-node'
import type { Model } from '../onnx/model'
import { cpuSession, type CpuSessionOptions } from '../onnx/session'
import { makeTensor, tensorArray } from '../onnx/tensor'
import { nextName } from './optimizer'
import {
  GRAD_SCALE, GRAD_WEIGHT, LEARNING_RATE, buildAccumulateStep, buildApplyStep, buildEvalProgram, buildTrainStep,
  type TrainProgram, type TrainProgramOptions,
} from './program'

export interface TrainerOptions extends TrainProgramOptions {
  /** Micro-batches per optimizer step; 1 runs the one-graph step program. */
  accumulation?: number
  session?: CpuSessionOptions
}

export type Feeds = Record<string, ort.Tensor>

export interface StepResult {
  /** Mean loss over the step's micro-batches, weighted like the gradients. */
  loss: number
  /** Global norm of the (normalised, unclipped) gradient. */
  gradNorm: number
}

const scalar = (v: number) => new ort.Tensor('float32', Float32Array.of(v), [])

/**
 * Holds a model's trained tensors and optimizer state as Float32Arrays and runs train-step programs
 * through ONNX Runtime: each run feeds the current values and keeps the returned `.next` arrays
 * (fresh buffers every run, so no copy is made here).
 */
export class Trainer {
  /** Trained tensors and optimizer state, by input name. */
  readonly values = new Map<string, Float32Array>()
  private steps = 0
  private readonly evalSessions = new Map<string, ort.InferenceSession>()

  private constructor(
    private readonly forward: Model,
    private readonly options: TrainerOptions,
    private readonly programs: { step?: TrainProgram; accumulate?: TrainProgram; apply?: TrainProgram },
    private readonly sessions: { step?: ort.InferenceSession; accumulate?: ort.InferenceSession; apply?: ort.InferenceSession },
  ) {
    const inits = new Map(forward.graph.initializers.map((t) => [t.name, t]))
    const main = programs.step ?? programs.apply!
    for (const t of main.trainable) this.values.set(t.name, Float32Array.from(tensorArray(inits.get(t.name)!) as Float32Array))
    for (const s of main.state) this.values.set(s.input, new Float32Array(s.shape.reduce((a, b) => a * b, 1)))
  }

  static async create(forward: Model, options: TrainerOptions): Promise<Trainer> {
    if ((options.accumulation ?? 1) <= 1) {
      const step = buildTrainStep(forward, options)
      return new Trainer(forward, options, { step }, { step: await cpuSession(step.model, options.session) })
    }
    const accumulate = buildAccumulateStep(forward, options)
    const apply = buildApplyStep(forward, options)
    const [a, p] = await Promise.all([cpuSession(accumulate.model, options.session), cpuSession(apply.model, options.session)])
    return new Trainer(forward, options, { accumulate, apply }, { accumulate: a, apply: p })
  }

  /** Optimizer steps taken. */
  get stepCount(): number {
    return this.steps
  }

  /** The program that runs the update (for inspection and benchmarks). */
  get program(): TrainProgram {
    return this.programs.step ?? this.programs.apply!
  }

  private feed(program: TrainProgram, names: Iterable<string>): Feeds {
    const feeds: Feeds = {}
    const shapes = new Map<string, number[]>([...program.trainable.map((t) => [t.name, t.shape] as const), ...program.state.map((s) => [s.input, s.shape] as const)])
    for (const n of names) feeds[n] = new ort.Tensor('float32', this.values.get(n)!, shapes.get(n)!)
    return feeds
  }

  private keep(program: TrainProgram, out: ort.InferenceSession.OnnxValueMapType): void {
    for (const t of program.trainable) this.values.set(t.name, out[nextName(t.name)].data as Float32Array)
    for (const s of program.state) if (!s.input.startsWith('accum.')) this.values.set(s.input, out[s.output].data as Float32Array)
  }

  /**
   * One optimizer step. With accumulation, `batches` are the micro-batches and `weights` their
   * gradient weights (e.g. counted tokens; default 1 each); the update uses Σ wₖ·∇Lₖ / Σ wₖ.
   */
  async step(batches: Feeds | Feeds[], learningRate: number, weights?: readonly number[]): Promise<StepResult> {
    const micro = Array.isArray(batches) ? batches : [batches]
    if (this.programs.step) {
      if (micro.length !== 1) throw new Error(`This trainer runs one batch per step (accumulation 1), got ${micro.length}.`)
      const p = this.programs.step
      const out = await this.sessions.step!.run({ ...micro[0], ...this.feed(p, [...p.trainable.map((t) => t.name), ...p.state.map((s) => s.input)]), [LEARNING_RATE]: scalar(learningRate) })
      this.keep(p, out)
      this.steps++
      return { loss: Number(out.loss.data[0]), gradNorm: Number(out.grad_norm.data[0]) }
    }
    const acc = this.programs.accumulate!
    const apply = this.programs.apply!
    const w = weights ?? micro.map(() => 1)
    if (w.length !== micro.length) throw new Error(`Got ${w.length} weights for ${micro.length} micro-batches.`)
    const sums = new Map<string, Float32Array>(acc.state.map((s) => [s.input, new Float32Array(s.shape.reduce((a, b) => a * b, 1))]))
    let loss = 0
    const params = this.feed(acc, acc.trainable.map((t) => t.name))
    for (let k = 0; k < micro.length; k++) {
      const feeds: Feeds = { ...micro[k], ...params, [GRAD_WEIGHT]: scalar(w[k]) }
      for (const s of acc.state) feeds[s.input] = new ort.Tensor('float32', sums.get(s.input)!, s.shape)
      const out = await this.sessions.accumulate!.run(feeds)
      for (const s of acc.state) sums.set(s.input, out[s.output].data as Float32Array)
      loss += w[k] * Number(out.loss.data[0])
    }
    const total = w.reduce((a, b) => a + b, 0)
    const feeds: Feeds = { ...this.feed(apply, [...apply.trainable.map((t) => t.name), ...apply.state.map((s) => s.input)]), [GRAD_SCALE]: scalar(1 / total), [LEARNING_RATE]: scalar(learningRate) }
    for (const [name, data] of sums) feeds[name] = new ort.Tensor('float32', data, acc.state.find((s) => s.input === name)!.shape)
    const out = await this.sessions.apply!.run(feeds)
    this.keep(apply, out)
    this.steps++
    return { loss: loss / total, gradNorm: Number(out.grad_norm.data[0]) }
  }

  /** Run the eval program (forward only, current values) and return the requested outputs. */
  async evaluate(batch: Feeds, outputs: readonly string[] = [this.options.loss]): Promise<Record<string, ort.Tensor>> {
    const trained = this.program.trainable.map((t) => t.name)
    const key = outputs.join('\n')
    let session = this.evalSessions.get(key)
    if (!session) {
      session = await cpuSession(buildEvalProgram(this.forward, trained, outputs).model, this.options.session)
      this.evalSessions.set(key, session)
    }
    return (await session.run({ ...batch, ...this.feed(this.program, trained) })) as Record<string, ort.Tensor>
  }

  /** The forward model with the trained values as its initializers (a checkpoint to export). */
  trainedModel(): Model {
    const shapes = new Map(this.program.trainable.map((t) => [t.name, t.shape]))
    const initializers = this.forward.graph.initializers.map((t) => (shapes.has(t.name) ? makeTensor(t.name, t.dataType, t.dims, this.values.get(t.name)!) : t))
    return { ...this.forward, graph: { ...this.forward.graph, initializers } }
  }
}
