import * as ort from 'onnxruntime-node'
import type { Model } from '../onnx/model'
import { makeTensor, tensorArray } from '../onnx/tensor'
import { NashlabError } from '../api/errors'
import type { ProviderName } from '../api/devices'
import { PARAMS, nextName } from './optimizer'
import { programSession, type ProgramSessionOptions } from './program-session'
import {
  ACCUM, GRAD_SCALE, GRAD_WEIGHT, LEARNING_RATE, buildAccumulateStep, buildApplyStep, buildEvalProgram, buildTrainStep,
  type TrainProgram, type TrainProgramOptions,
} from './program'

export interface TrainerOptions extends TrainProgramOptions {
  /** Micro-batches per optimizer step; 1 runs the one-graph step program. */
  accumulation?: number
  /** Provider (default cpu, falling back to the CPU with a warning), threads and other session options of every program. */
  session?: ProgramSessionOptions
}

export type Feeds = Record<string, ort.Tensor>

export interface StepResult {
  /** Mean loss over the step's micro-batches, weighted like the gradients. */
  loss: number
  /** Global norm of the (normalised, unclipped) gradient. */
  gradNorm: number
}

const scalar = (v: number) => new ort.Tensor('float32', Float32Array.of(v), [])

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1)

/**
 * Holds a model's trained tensors as one flat Float32Array (the programs' `params` layout) and the
 * optimizer state as flat arrays, and runs train-step programs through ONNX Runtime: each run
 * feeds the current values (per-tensor inputs are views into the flat array, which ORT reads in
 * place) and keeps the returned `.next` arrays (fresh buffers every run, so no copy is made here).
 */
export class Trainer {
  private params: Float32Array
  /** Optimizer state by the program's (flat) input names. */
  private readonly state = new Map<string, Float32Array>()
  private views = new Map<string, Float32Array>()
  private steps = 0
  private readonly evalSessions = new Map<string, ort.InferenceSession>()
  private readonly sessionWarnings = new Set<string>()

  private constructor(
    private readonly forward: Model,
    private readonly options: TrainerOptions,
    private readonly programs: { step?: TrainProgram; accumulate?: TrainProgram; apply?: TrainProgram },
    private readonly sessions: { step?: ort.InferenceSession; accumulate?: ort.InferenceSession; apply?: ort.InferenceSession },
    /** The provider the programs run on (the one asked for, or cpu after a fallback). */
    readonly provider: ProviderName,
    warnings: readonly string[],
  ) {
    for (const w of warnings) this.sessionWarnings.add(w)
    const inits = new Map(forward.graph.initializers.map((t) => [t.name, t]))
    const main = this.program
    this.params = new Float32Array(main.size)
    for (const e of main.layout) this.params.set(tensorArray(inits.get(e.name)!) as Float32Array, e.offset)
    for (const s of main.state) this.state.set(s.input, new Float32Array(numel(s.shape)))
    this.refreshViews()
  }

  static async create(forward: Model, options: TrainerOptions): Promise<Trainer> {
    if ((options.accumulation ?? 1) <= 1) {
      const step = buildTrainStep(forward, options)
      const created = await programSession(step.model, options.session)
      return new Trainer(forward, options, { step }, { step: created.session }, created.provider, created.warnings)
    }
    const accumulate = buildAccumulateStep(forward, options)
    const apply = buildApplyStep(forward, options)
    const [a, p] = await Promise.all([programSession(accumulate.model, options.session), programSession(apply.model, options.session)])
    return new Trainer(forward, options, { accumulate, apply }, { accumulate: a.session, apply: p.session }, a.provider, [...a.warnings, ...p.warnings])
  }

  /** Sentences to show the user: a provider that could not start, so the programs run on the CPU. */
  get warnings(): string[] {
    return [...this.sessionWarnings]
  }

  /** Optimizer steps taken. */
  get stepCount(): number {
    return this.steps
  }

  /** The program that runs the update (for inspection and benchmarks). */
  get program(): TrainProgram {
    return this.programs.step ?? this.programs.apply!
  }

  /**
   * Trained tensors by name, and optimizer state by its checkpoint names (`adamw.m.<tensor>`,
   * `adamw.v.<tensor>`, `adamw.step`, `sgd.momentum.<tensor>`). The arrays are views of what the
   * last step returned: read them, do not modify them (a step replaces them with new ones).
   */
  get values(): ReadonlyMap<string, Float32Array> {
    return this.views
  }

  /** The optimizer state by checkpoint names, with shapes (views, as `values`). */
  optimizerState(): Map<string, { data: Float32Array; shape: number[] }> {
    const out = new Map<string, { data: Float32Array; shape: number[] }>()
    for (const slot of this.program.state) {
      const data = this.state.get(slot.input)!
      if (!slot.perTensor) out.set(slot.input, { data, shape: slot.shape })
      else for (const e of this.program.layout) out.set(`${slot.input}.${e.name}`, { data: data.subarray(e.offset, e.offset + e.size), shape: e.shape })
    }
    return out
  }

  /**
   * Replace the optimizer state with saved values by checkpoint names (as `optimizerState` gives
   * them); `source` names where they came from in the error for a missing one.
   */
  loadOptimizerState(saved: ReadonlyMap<string, Float32Array>, source: string): void {
    for (const slot of this.program.state) {
      const flat = new Float32Array(numel(slot.shape))
      const parts = slot.perTensor ? this.program.layout.map((e) => ({ name: `${slot.input}.${e.name}`, offset: e.offset, size: e.size })) : [{ name: slot.input, offset: 0, size: flat.length }]
      for (const part of parts) {
        const data = saved.get(part.name)
        if (!data) throw new NashlabError('bad_file', `${source} has no optimizer state "${part.name}" (was it written with another optimizer?).`, { tensor: part.name })
        if (data.length !== part.size) throw new NashlabError('bad_file', `${source} has optimizer state "${part.name}" of ${data.length} values; the model needs ${part.size}.`, { tensor: part.name })
        flat.set(data, part.offset)
      }
      this.state.set(slot.input, flat)
    }
    this.refreshViews()
  }

  private refreshViews(): void {
    const views = new Map<string, Float32Array>()
    for (const e of this.program.layout) views.set(e.name, this.params.subarray(e.offset, e.offset + e.size))
    for (const [name, { data }] of this.optimizerState()) views.set(name, data)
    this.views = views
  }

  /** Per-tensor feeds of the trained tensors: views of the flat vector. */
  private tensorFeeds(): Feeds {
    const feeds: Feeds = {}
    for (const e of this.program.layout) feeds[e.name] = new ort.Tensor('float32', this.params.subarray(e.offset, e.offset + e.size), e.shape)
    return feeds
  }

  private stateFeeds(program: TrainProgram, feeds: Feeds): Feeds {
    for (const s of program.state) feeds[s.input] = new ort.Tensor('float32', this.state.get(s.input)!, s.shape)
    return feeds
  }

  private keep(program: TrainProgram, out: ort.InferenceSession.OnnxValueMapType): void {
    this.params = out[nextName(PARAMS)].data as Float32Array
    for (const s of program.state) this.state.set(s.input, out[s.output].data as Float32Array)
    this.refreshViews()
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
      const out = await this.sessions.step!.run(this.stateFeeds(p, { ...micro[0], ...this.tensorFeeds(), [LEARNING_RATE]: scalar(learningRate) }))
      this.keep(p, out)
      this.steps++
      return { loss: Number(out.loss.data[0]), gradNorm: Number(out.grad_norm.data[0]) }
    }
    const acc = this.programs.accumulate!
    const apply = this.programs.apply!
    const w = weights ?? micro.map(() => 1)
    if (w.length !== micro.length) throw new Error(`Got ${w.length} weights for ${micro.length} micro-batches.`)
    let sum: Float32Array = new Float32Array(acc.size)
    let loss = 0
    const params = this.tensorFeeds()
    for (let k = 0; k < micro.length; k++) {
      const out = await this.sessions.accumulate!.run({ ...micro[k], ...params, [GRAD_WEIGHT]: scalar(w[k]), [ACCUM]: new ort.Tensor('float32', sum, [acc.size]) })
      sum = out[nextName(ACCUM)].data as Float32Array
      loss += w[k] * Number(out.loss.data[0])
    }
    const total = w.reduce((a, b) => a + b, 0)
    const feeds: Feeds = {
      [PARAMS]: new ort.Tensor('float32', this.params, [apply.size]),
      [ACCUM]: new ort.Tensor('float32', sum, [apply.size]),
      [GRAD_SCALE]: scalar(1 / total),
      [LEARNING_RATE]: scalar(learningRate),
    }
    const out = await this.sessions.apply!.run(this.stateFeeds(apply, feeds))
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
      const created = await programSession(buildEvalProgram(this.forward, trained, outputs).model, this.options.session)
      for (const w of created.warnings) this.sessionWarnings.add(w)
      session = created.session
      this.evalSessions.set(key, session)
    }
    return (await session.run({ ...batch, ...this.tensorFeeds() })) as Record<string, ort.Tensor>
  }

  /** The forward model with the trained values as its initializers (a checkpoint to export). */
  trainedModel(): Model {
    const shapes = new Map(this.program.trainable.map((t) => [t.name, t.shape]))
    const initializers = this.forward.graph.initializers.map((t) => (shapes.has(t.name) ? makeTensor(t.name, t.dataType, t.dims, this.values.get(t.name)!) : t))
    return { ...this.forward, graph: { ...this.forward.graph, initializers } }
  }
}
