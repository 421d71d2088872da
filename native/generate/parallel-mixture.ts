import { NashlabError } from '../api/errors'
import type { DecoderConfig } from '../models/config'
import type { Weights } from '../models/weights'
import type { SessionRequest } from '../runtime/session'
import type { DecoderIo, DecoderRows } from './decoder-session'
import type { ThreadMember } from './member-protocol'
import { cores, MemberThread } from './member-thread'
import type { MixtureStep } from './mixture-step'
import type { RowsOptions } from './slot-batch'

/**
 * A batch's member threads count as having no core of their own when, after the sampling thread's
 * own members finished a step, it waited for the threads more than this share of its own time (in
 * parallel the wait is the hand-off and the thread's slower step: ≈ 0.12 of a d 128 step at batch 8,
 * 117 ms on the sampling thread against 131 ms in the thread over 127 steps; taking turns on one
 * core, ≈ 1).
 */
export const CONTENDED_WAIT_SHARE = 0.7
/** Steps of a batch before its timing is judged. */
const JUDGED_AFTER_STEPS = 16
/** While contended, every this-many-th batch tries the threads again. */
export const PROBE_EVERY_BATCHES = 8

/** What a parallel mixture needs of each member (a NativeRunner). */
export interface ParallelMember {
  readonly config: DecoderConfig
  readonly name: string
  readonly builtInWeights: Weights | undefined
  readonly weightInputs: Record<string, { data: unknown }>
  readonly sessionRequest: SessionRequest
  /** Rows up to which the member's steps run on its one-thread CPU session (0: none, as on a GPU). */
  readonly narrowRows: number
  rows(context?: number, options?: RowsOptions): DecoderRows
}

/**
 * Σ_i w_i·z_i in float32 exactly as the mixture step program computes it (mixture-step.ts): each
 * term w_i·z_i rounded to float32 (w_i itself a float32), then added to the running sum in the
 * members' order, each sum rounded to float32. (A float64 product of two float32s is exact, and a
 * float64 sum of two rounded once more to float32 is the float32 sum, so Math.fround gives ONNX
 * Runtime's numbers.) No term is skipped, as in the graph.
 */
export function mixInGraphOrder(logits: readonly Float32Array[], weights: readonly number[], out: Float32Array): Float32Array {
  const w = weights.map((x) => Math.fround(x))
  const first = logits[0]
  for (let j = 0; j < out.length; j++) out[j] = w[0] * first[j]
  for (let i = 1; i < logits.length; i++) {
    const z = logits[i]
    const wi = w[i]
    for (let j = 0; j < out.length; j++) out[j] = out[j] + Math.fround(wi * z[j])
  }
  return out
}

/** A member's weights as the thread needs them (the fed ones, or those built in). */
function weightsOf(member: ParallelMember): Weights {
  if (member.builtInWeights) return member.builtInWeights
  return new Map(Object.entries(member.weightInputs).map(([name, tensor]) => [name, tensor.data as Float32Array]))
}

/**
 * A mixture whose members run at the same time, one thread per core: members are dealt round-robin
 * to min(cores, members) lanes; lane 0 is the sampling thread itself, each other lane a worker
 * thread (member-thread.ts) holding its members' sessions. A step hands the tokens to the threads,
 * runs lane 0's members meanwhile, then waits for the threads' logits and mixes them in the
 * mixture step program's order and rounding (`mixInGraphOrder`), so it samples the same tokens.
 *
 * Which batches it serves depends on the cores per lane:
 * - One core per lane (two members on two cores, say): every batch. Each member steps on its
 *   one-thread session however wide the batch (`oneThread`), as each lane has one core to use. On
 *   2 cores, two d 128 models at batch 16 (wider than their one-thread steps) cost 1.4–1.7× one
 *   model on both cores, against 1.9–2.4× for the one-graph program (docs/onnxruntime.md).
 * - More cores per lane: the steps the members run on one thread anyway (rows ≤ every member's
 *   `narrowRows`: a small step, which one ONNX Runtime thread runs fastest, leaving cores idle); a
 *   wider batch runs on the one-graph mixture step program, which shares each operator out over
 *   all the cores.
 * One batch at a time: starting a batch ends the previous one.
 *
 * Running in parallel pays only while the threads get a core each. On a machine whose cores are
 * busy with other work they take turns instead, and cost more than the one-graph program (batch 8,
 * two d 128 models, load ≈ 3: 3.7× one model against 2.8×). Each batch's timing is therefore watched
 * (`observe`): once the sampling thread waits for the threads about as long as it ran its own
 * members, the following batches run on the program, and every PROBE_EVERY_BATCHES-th batch tries
 * the threads again. Both ways sample the same tokens (with one core per lane the program too steps
 * on its one-thread session, the members' arithmetic), so the switch changes only the time.
 */
export class ParallelMixture {
  readonly io: DecoderIo
  /** Rows up to which batches run in parallel (Infinity with one core per lane). */
  readonly rowsLimit: number
  /** Whether each lane has one core, so every member steps on one thread however wide the batch. */
  readonly oneCorePerLane: boolean
  /** Whether the last judged batch found the threads without a core of their own. */
  contended = false
  private sinceProbe = 0
  private timing = { steps: 0, ownMs: 0, waitMs: 0 }

  private constructor(
    private readonly members: readonly ParallelMember[],
    /** The members of lane 0, by their places in the mixture. */
    private readonly local: readonly number[],
    private readonly threads: readonly MemberThread[],
    /** The one-graph program for wider batches (made on first use). */
    private readonly program: () => Promise<MixtureStep>,
    /** Whether batches move to the program while the threads are contended (off: always in parallel). */
    private readonly watch: boolean,
    coresPerLane: number,
  ) {
    const lead = members[0].config
    this.io = { layers: lead.layers, kvHeads: lead.heads, headSize: lead.dModel / lead.heads, vocabSize: lead.vocab, positionIds: true, context: Math.min(...members.map((m) => m.config.context)) }
    this.oneCorePerLane = coresPerLane <= 1
    this.rowsLimit = this.oneCorePerLane ? Infinity : Math.min(...members.map((m) => m.narrowRows))
  }

  /** Whether members run in parallel here at all: two or more cores, and every member on the CPU with a one-thread step session. */
  static applies(members: readonly ParallelMember[]): boolean {
    return members.length >= 2 && cores() >= 2 && members.every((m) => m.narrowRows > 0)
  }

  /**
   * `watch` false keeps every batch that fits on the threads, contended or not (tests of the
   * parallel form itself); `coresPerLane` (default: the cores shared out over the lanes) decides
   * which batches fit (see the class).
   */
  static async create(
    members: readonly ParallelMember[],
    program: () => Promise<MixtureStep>,
    lanes = Math.min(cores(), members.length),
    { watch = true, coresPerLane = Math.floor(cores() / lanes) } = {},
  ): Promise<ParallelMixture> {
    if (members.length < 2 || lanes < 2) throw new NashlabError('internal', `A parallel mixture needs two or more members and lanes; got ${members.length} members and ${lanes} lanes.`)
    const dealt: number[][] = Array.from({ length: lanes }, () => [])
    members.forEach((_, i) => dealt[i % lanes].push(i))
    const threadMember = (i: number): ThreadMember => {
      const m = members[i]
      const { ort: _ort, ...session } = m.sessionRequest
      return { index: i, name: m.name, config: m.config, weights: weightsOf(m), mode: m.builtInWeights ? 'constant' : 'inputs', session }
    }
    const started = await Promise.allSettled(dealt.slice(1).map((lane) => MemberThread.create(lane.map(threadMember))))
    const threads = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
    const failed = started.find((s) => s.status === 'rejected')
    if (failed) {
      await Promise.all(threads.map((t) => t.release()))
      throw failed.reason
    }
    return new ParallelMixture(members, dealt[0], threads, program, watch, coresPerLane)
  }

  /** A new batch whose logits are Σ_i weights[i] · z_i (one weight per member, in the members' order). */
  rows(weights: readonly number[]): DecoderRows {
    if (weights.length !== this.members.length) throw new NashlabError('internal', `The mixture has ${this.members.length} models; got ${weights.length} weights.`)
    weights.forEach((w, i) => {
      if (!Number.isFinite(w)) throw new NashlabError('invalid_input', `Model ${i} of the mixture has weight ${w}, not a finite number.`)
    })
    return new ParallelRows(this, weights)
  }

  /** @internal Whether a new batch runs in parallel (else on the program, while contended); called once per batch. */
  beginBatch(): boolean {
    this.timing = { steps: 0, ownMs: 0, waitMs: 0 }
    if (!this.watch || !this.contended) return true
    this.sinceProbe = (this.sinceProbe + 1) % PROBE_EVERY_BATCHES
    return this.sinceProbe === 0
  }

  /** @internal One parallel step's time: the sampling thread's own members, then its wait for the threads. */
  observe(ownMs: number, waitMs: number): void {
    const t = this.timing
    t.steps++
    t.ownMs += ownMs
    t.waitMs += waitMs
    if (t.steps >= JUDGED_AFTER_STEPS) this.contended = t.waitMs > CONTENDED_WAIT_SHARE * t.ownMs
  }

  /** @internal Used by ParallelRows. */
  get parts() {
    return { members: this.members, local: this.local, threads: this.threads, program: this.program }
  }

  /** The worker threads (one per lane beyond the sampling thread's). */
  get memberThreads(): readonly MemberThread[] {
    return this.threads
  }

  /** End the member threads (their sessions with them). */
  async release(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.release()))
  }
}

/** One batch of a parallel mixture (or, when wider than its rows limit, of the mixture step program). */
class ParallelRows implements DecoderRows {
  readonly io: DecoderIo
  /** Whether the batch runs on the member threads (known once started; else on the mixture step program). */
  inParallel = false
  private wide: DecoderRows | null = null
  private local: DecoderRows[] = []
  private epochs: number[] = []
  private rows = 0

  constructor(
    private readonly mixture: ParallelMixture,
    private readonly weights: readonly number[],
  ) {
    this.io = mixture.io
  }

  async start(prompts: readonly (readonly number[])[], reserve = 64): Promise<Float32Array> {
    const { members, local, threads, program } = this.mixture.parts
    const oneThread = this.mixture.oneCorePerLane
    if (prompts.length > this.mixture.rowsLimit || !this.mixture.beginBatch()) {
      this.wide = (await program()).rows(this.weights, { oneThread })
      return this.wide.start(prompts, reserve)
    }
    this.rows = prompts.length
    this.inParallel = true
    const V = this.io.vocabSize
    const starts = threads.map((t) => t.start(prompts, reserve, V, this.io.context, t.members.map((m) => (members[m.index].builtInWeights ? null : weightsOf(members[m.index]))), oneThread))
    // Lane 0's prefill runs while the threads run theirs; every answer is awaited before an error is thrown.
    this.local = local.map((i) => members[i].rows(this.io.context ?? undefined, { oneThread }))
    const own = await settle(this.local.map((rows) => () => rows.start(prompts, reserve)), false)
    const remote = await Promise.allSettled(starts)
    if (own.error) throw own.error
    const logits: Float32Array[] = new Array(members.length)
    local.forEach((i, k) => (logits[i] = own[k]))
    remote.forEach((r, t) => {
      if (r.status === 'rejected') throw r.reason
      this.epochs[t] = r.value.epoch
      threads[t].members.forEach((m, k) => (logits[m.index] = r.value.logits[k]))
    })
    return mixInGraphOrder(logits, this.weights, new Float32Array(this.rows * V))
  }

  async step(tokens: readonly number[]): Promise<Float32Array> {
    if (this.wide) return this.wide.step(tokens)
    if (tokens.length !== this.rows) throw new NashlabError('internal', `A step needs ${this.rows} tokens, one per row; got ${tokens.length}.`)
    const { members, local, threads } = this.mixture.parts
    threads.forEach((t, k) => t.signal(this.epochs[k], tokens))
    const began = performance.now()
    const own = await settle(this.local.map((rows) => () => rows.step(tokens)), false)
    const ownEnded = performance.now()
    const logits: Float32Array[] = new Array(members.length)
    let failure: unknown
    for (const [k, t] of threads.entries()) {
      try {
        const views = await t.wait(this.epochs[k])
        t.members.forEach((m, j) => (logits[m.index] = views[j]))
      } catch (error) {
        failure ??= error
      }
    }
    if (own.error) throw own.error
    if (failure) throw failure
    this.mixture.observe(ownEnded - began, performance.now() - ownEnded)
    local.forEach((i, k) => (logits[i] = own[k]))
    return mixInGraphOrder(logits, this.weights, new Float32Array(this.rows * this.io.vocabSize))
  }
}

/** Run `tasks` one after another; the results, or (with `raise` false) the first error kept in `.error` after all ran or it failed. */
async function settle<T>(tasks: (() => Promise<T>)[], raise = true): Promise<T[] & { error?: unknown }> {
  const results: T[] & { error?: unknown } = []
  for (const task of tasks) {
    try {
      results.push(await task())
    } catch (error) {
      if (raise) throw error
      results.error = error
      return results
    }
  }
  return results
}
