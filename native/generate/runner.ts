import { NashlabError } from '../api/errors'
import type { DecoderConfig } from '../models/config'
import { evalProgram, generationProgram } from '../models/programs'
import { parameterCount, weightSpecs, type Weights } from '../models/weights'
import { encodeModel } from '../onnx/encode'
import { ort, type InferenceSession, type Tensor } from '../runtime/ort'
import { createSession, type SessionRequest } from '../runtime/session'
import { DecoderBatch, emptyPast, type DecoderIo, type DecoderRows } from './decoder-session'
import { anyWidth, SlotBatch, type NarrowStep, type RowsOptions } from './slot-batch'
import { MixtureStep } from './mixture-step'
import { ParallelMixture } from './parallel-mixture'
import { gatherLogProbs } from './softmax'

/**
 * A decoder ready to run: batches of rows to sample from, and scoring of given sequences.
 * Sequences to score are right-padded rows of ids with a mask; `score` returns, for each row,
 * log p(ids[t + 1] | ids[≤ t]) for t = 0 … length − 2 (the first token is not scored).
 */
export interface DecoderRunner {
  readonly io: DecoderIo
  /** A new batch over the runner's session (each batch keeps its own KV cache). */
  rows(): DecoderRows
  score(sequences: readonly (readonly number[])[]): Promise<Float32Array[]>
  /** Provider warnings of the sessions (a fallback to CPU). */
  readonly warnings: string[]
  release(): Promise<void>
}

function ids(rows: readonly (readonly number[])[], width: number, fill: (row: readonly number[], t: number) => number): BigInt64Array {
  const out = new BigInt64Array(rows.length * width)
  rows.forEach((row, r) => {
    for (let t = 0; t < width; t++) out[r * width + t] = BigInt(t < row.length ? fill(row, t) : 0)
  })
  return out
}

/** Right-padded feeds of sequences: ids, mask, positions and next-token targets. */
function sequenceFeeds(sequences: readonly (readonly number[])[]) {
  const width = Math.max(1, ...sequences.map((s) => s.length))
  const shape = [sequences.length, width]
  return {
    width,
    input_ids: new ort.Tensor('int64', ids(sequences, width, (s, t) => s[t]), shape),
    attention_mask: new ort.Tensor('int64', ids(sequences, width, () => 1), shape),
    position_ids: new ort.Tensor('int64', ids(sequences, width, (_s, t) => t), shape),
    targets: new ort.Tensor('int64', ids(sequences, width, (s, t) => (t + 1 < s.length ? s[t + 1] : 0)), shape),
  }
}

/**
 * Steps of at most this many multiply-adds (rows × parameters) run on one thread. A decoding step
 * is one position per row; for a small model its operators are a few microseconds each, and
 * handing half of each to a second ONNX Runtime thread (woken from sleep every operator) costs
 * more than it saves. Measured in one process on 2 cores (d 128, 4 layers, 0.8 M parameters, past
 * of 72, load 2–4): a step at batch 1 took 0.34 ms on 1 thread and 0.78 ms on 2; at batch 8,
 * 1.16 and 1.26 ms.
 */
export const NARROW_STEP_MACS = 8_000_000

/** Rows up to which a model's decoding steps run on one thread (0: never). */
export function narrowStepRows(config: DecoderConfig): number {
  return Math.floor(NARROW_STEP_MACS / parameterCount(config))
}

/**
 * Nashlab's own decoder: a slot-cache generation program and an eval program, weights constant or
 * fed. On the CPU, small steps (`narrowStepRows`) run on a one-thread session of the one-position
 * step program (the same arithmetic with fewer operators, which is most of a small step's cost);
 * the prefill and wider steps on the generation program.
 */
export class NativeRunner implements DecoderRunner {
  readonly io: DecoderIo
  private weightFeeds: Record<string, Tensor> = {}
  /** Mixture step programs with other runners, by the runners' ids (this one first); released with this runner. */
  private readonly mixtures = new Map<string, Promise<MixtureStep>>()
  /** Parallel mixtures with other runners (parallel-mixture.ts), by the runners' ids; released with this runner. */
  private readonly parallels = new Map<string, Promise<ParallelMixture>>()
  private static created = 0
  /** Tells runners apart in `mixtures`. */
  private readonly id = NativeRunner.created++

  private constructor(
    readonly config: DecoderConfig,
    private readonly generation: InferenceSession,
    private readonly evaluation: InferenceSession,
    /** The weights built into the sessions ('constant'); undefined when they are fed. */
    readonly builtInWeights: Weights | undefined,
    private readonly request: SessionRequest,
    readonly warnings: string[],
    private readonly narrow?: NarrowStep,
  ) {
    this.io = { layers: config.layers, kvHeads: config.heads, headSize: config.dModel / config.heads, vocabSize: config.vocab, positionIds: true, context: config.context }
  }

  /**
   * `weights: 'inputs'` makes the weights graph inputs fed at every run, so `setWeights` changes
   * them without new sessions (a policy being trained); 'constant' (default) bakes them in (faster).
   */
  static async create(config: DecoderConfig, weights: Weights, options: { weights?: 'constant' | 'inputs'; session?: SessionRequest } = {}): Promise<NativeRunner> {
    const mode = options.weights ?? 'constant'
    const baked = mode === 'constant' ? weights : undefined
    const request = { name: 'the policy', ...options.session }
    const program = encodeModel(generationProgram(config, baked, { weights: mode, cache: 'slots', logits: 'last' }))
    const generation = await createSession(program, request)
    const evaluation = await createSession(encodeModel(evalProgram(config, baked, { weights: mode })), request)
    const rows = narrowStepRows(config)
    const step = () => encodeModel(generationProgram(config, baked, { weights: mode, cache: 'slots', logits: 'last', sequence: 'one' }))
    const narrow = generation.provider === 'cpu' && rows > 0 ? { session: (await createSession(step(), { ...request, provider: 'cpu', intraOpNumThreads: 1 })).session, rows } : undefined
    const runner = new NativeRunner(config, generation.session, evaluation.session, baked, request, [...new Set([...generation.warnings, ...evaluation.warnings])], narrow)
    if (mode === 'inputs') runner.setWeights(weights)
    return runner
  }

  /** What messages call the model (its session request's name). */
  get name(): string {
    return this.request.name ?? 'the policy'
  }

  /** The session options the runner was made with. */
  get sessionRequest(): SessionRequest {
    return this.request
  }

  /** Rows up to which steps run on the one-thread CPU session (0: none, as on a GPU). */
  get narrowRows(): number {
    return this.narrow?.rows ?? 0
  }

  /** Replace the weights fed to every run (only for runners created with `weights: 'inputs'`). */
  setWeights(weights: Weights): void {
    if (this.builtInWeights) throw new NashlabError('internal', 'This runner has its weights built in; create it with weights: "inputs" to change them.')
    const feeds: Record<string, Tensor> = {}
    for (const spec of weightSpecs(this.config)) {
      const data = weights.get(spec.name)
      if (!data) throw new NashlabError('internal', `The new weights lack "${spec.name}".`)
      feeds[spec.name] = new ort.Tensor('float32', data, spec.shape)
    }
    this.weightFeeds = feeds
  }

  /** The weights fed to every run, by name (empty when they are built in). */
  get weightInputs(): Record<string, Tensor> {
    return this.weightFeeds
  }

  /**
   * The mixture step program of this runner followed by `others` (one session run per token for
   * all of them, mixture-step.ts), made on first use with this runner's session options and kept
   * until this runner is released.
   */
  mixtureWith(others: readonly NativeRunner[]): Promise<MixtureStep> {
    const key = [this, ...others].map((r) => r.id).join(',')
    let step = this.mixtures.get(key)
    if (!step) {
      step = MixtureStep.create([this, ...others], this.request, NARROW_STEP_MACS)
      this.mixtures.set(key, step)
      // A program that failed to build is not kept: the next call tries again.
      step.catch(() => this.mixtures.delete(key))
    }
    return step
  }

  /**
   * This runner followed by `others` as a mixture whose members run at the same time on threads of
   * their own (parallel-mixture.ts; wider batches on `mixtureWith`'s program), made on first use and
   * kept until this runner is released.
   */
  parallelWith(others: readonly NativeRunner[]): Promise<ParallelMixture> {
    const key = [this, ...others].map((r) => r.id).join(',')
    let mixture = this.parallels.get(key)
    if (!mixture) {
      mixture = ParallelMixture.create([this, ...others], () => this.mixtureWith(others))
      this.parallels.set(key, mixture)
      mixture.catch(() => this.parallels.delete(key))
    }
    return mixture
  }

  /**
   * A new batch. `context`: a shorter context to keep within, for a member of a mixture, whose
   * members' batches must feed the same slots as the mixture step program's (the shortest context
   * of its models bounds how far its slots widen, and so what each attention sums over).
   * `oneThread`: every step on the one-thread session, however wide (a member of a parallel mixture
   * whose lane has one core; on the CPU only, else as usual).
   */
  rows(context?: number, { oneThread = false }: RowsOptions = {}): DecoderRows {
    const io = context === undefined ? this.io : { ...this.io, context: Math.min(context, this.io.context ?? Infinity) }
    return new SlotBatch(this.generation, io, this.weightFeeds, oneThread ? anyWidth(this.narrow) : this.narrow)
  }

  async score(sequences: readonly (readonly number[])[]): Promise<Float32Array[]> {
    const { width, ...feeds } = sequenceFeeds(sequences)
    const out = await this.evaluation.run({ ...this.weightFeeds, ...feeds })
    const logprobs = out.token_logprobs.data as Float32Array
    return sequences.map((s, r) => logprobs.slice(r * width, r * width + Math.max(0, s.length - 1)))
  }

  async release(): Promise<void> {
    await this.generation.release()
    await this.evaluation.release()
    await this.narrow?.session.release()
    for (const mixture of this.parallels.values()) await (await mixture.catch(() => null))?.release()
    this.parallels.clear()
    for (const step of this.mixtures.values()) await (await step).release()
    this.mixtures.clear()
  }
}

/** A decoder ONNX graph with the standard I/O names (an imported or exported model). */
export class GraphRunner implements DecoderRunner {
  private constructor(
    private readonly session: InferenceSession,
    readonly io: DecoderIo,
    readonly warnings: string[],
  ) {}

  static async create(model: Uint8Array | string, io: DecoderIo, session: SessionRequest = {}): Promise<GraphRunner> {
    const created = await createSession(model, session)
    return new GraphRunner(created.session, io, created.warnings)
  }

  rows(): DecoderRows {
    return new DecoderBatch(this.session, this.io)
  }

  /** Scores with the generation graph itself: an empty past, every position's logits. */
  async score(sequences: readonly (readonly number[])[]): Promise<Float32Array[]> {
    const { width, targets: _targets, ...feeds } = sequenceFeeds(sequences)
    const rows = sequences.length
    const run: Record<string, Tensor> = { ...emptyPast(this.io, rows), input_ids: feeds.input_ids, attention_mask: feeds.attention_mask }
    if (this.io.positionIds) run.position_ids = feeds.position_ids
    const out = await this.session.run(run)
    const logits = out.logits.data as Float32Array
    const V = out.logits.dims[2]
    return sequences.map((s, r) => {
      const n = Math.max(0, s.length - 1)
      const result = new Float32Array(n)
      for (let t = 0; t < n; t++) {
        const row = logits.subarray((r * width + t) * V, (r * width + t + 1) * V)
        result[t] = gatherLogProbs(row, 1, V, [s[t + 1]])[0]
      }
      return result
    })
  }

  async release(): Promise<void> {
    await this.session.release()
  }
}
