import { NashlabError } from '../api/errors'
import type { DecoderConfig } from '../models/config'
import { constantWeights, decoderHead, decoderTrunk, declarePast, dimNames, inputWeights, type DecoderInputs } from '../models/decoder'
import { lastPosition, MODEL_OPSET } from '../models/programs'
import { parameterCount, type Weights } from '../models/weights'
import { GraphBuilder, type Value } from '../onnx/builder'
import { DataType } from '../onnx/dtype'
import { encodeModel } from '../onnx/encode'
import type { Model } from '../onnx/model'
import { ort, type InferenceSession, type Tensor } from '../runtime/ort'
import { createSession, type SessionRequest } from '../runtime/session'
import type { DecoderIo, DecoderRows } from './decoder-session'
import { anyWidth, SlotBatch, type CacheLayout, type NarrowStep, type RowsOptions } from './slot-batch'

/** One model of a mixture step program: its config and, for weights built in, the weights (none: graph inputs). */
export interface MixtureProgramMember {
  config: DecoderConfig
  weights?: Weights
}

/** What model i's inputs and outputs are named with in a mixture step program. */
export function mixturePrefix(i: number): string {
  return `mixture${i}.`
}

/**
 * One decoding step of a geometric mixture of several decoders in one graph, so that a token costs
 * one session run instead of one per model:
 *
 *   inputs   input_ids, attention_mask, position_ids         shared: every model is fed the same tokens
 *            mixture{i}.weight                               float scalar w_i
 *            mixture{i}.past_key_values.{l}.key/value        model i's slot cache (see slot-batch.ts)
 *            mixture{i}.<weight name>                        model i's weights, when not built in
 *   outputs  logits = Σ_i w_i · z_i                          (batch, 1, V), the last position's
 *            mixture{i}.new_key_values                       model i's new keys and values
 *
 * Each model is the slot-cache generation program of programs.ts (`cache: 'slots'`, last-position
 * logits; `sequence: 'one'`, the one-position step program) under its own names; the models must
 * share a vocabulary.
 */
export function mixtureStepProgram(members: readonly MixtureProgramMember[], options: { sequence?: 'any' | 'one' } = {}): Model {
  if (members.length === 0) throw new NashlabError('invalid_input', 'A mixture needs at least one model.')
  const vocab = members[0].config.vocab
  members.forEach((m, i) => {
    if (m.config.vocab !== vocab) throw new NashlabError('invalid_input', `Model ${i} of the mixture has ${m.config.vocab} logits where model 0 has ${vocab}.`)
  })
  const b = GraphBuilder.create('nashlab_mixture_step', MODEL_OPSET)
  const { batch, past, total } = dimNames
  const one = options.sequence === 'one'
  const sequence = one ? 1 : dimNames.sequence
  const shared = {
    inputIds: b.input('input_ids', DataType.int64, [batch, sequence]),
    attentionMask: b.input('attention_mask', DataType.int64, [batch, total]),
    positionIds: b.input('position_ids', DataType.int64, [batch, sequence]),
  }
  let mixed: Value | undefined
  members.forEach((member, i) => {
    const prefix = mixturePrefix(i)
    const c = member.config
    const weight = b.input(`${prefix}weight`, DataType.float, [])
    const inputs: DecoderInputs = { ...shared, past: declarePast(b, c, batch, past, prefix), cacheMode: 'slots' }
    b.scope(`mixture${i}`, () => {
      const w = member.weights ? constantWeights(b, c, member.weights, prefix) : inputWeights(b, c, prefix)
      const { hidden, present } = decoderTrunk(b, c, w, inputs, { onePosition: one })
      const logits = decoderHead(b, c, w, one ? hidden : lastPosition(b, hidden)) // (B, 1, V)
      b.output(b.concat(present!.flatMap((p) => [p.key, p.value]), 1, 'new_key_values'), `${prefix}new_key_values`)
      const term = b.mul(logits, weight, 'weighted')
      mixed = mixed ? b.add(mixed, term, 'mixed') : term
    })
  })
  b.output(mixed!, 'logits')
  return b.toModel()
}

/** What a mixture step needs of each model (a NativeRunner). */
export interface MixtureStepMember {
  readonly config: DecoderConfig
  /** The weights built into the model's sessions; undefined when they are fed (`weightInputs`). */
  readonly builtInWeights: Weights | undefined
  /** The weights fed to every run, by weight name (empty when built in). */
  readonly weightInputs: Record<string, Tensor>
}

/**
 * Sessions of one mixture step program for a fixed list of models, and batches over them. The
 * mixture weights are inputs, so one program serves every β of a schedule; weights fed to a model
 * (a policy in training) are read when a batch is made, so a batch uses the weights current then.
 * On the CPU, small steps run on a one-thread session of the one-position program, as NativeRunner's
 * do: the program is each model's operators one after another, each as small as in that model's own
 * step, so the largest model's `narrowStepRows` applies (not the models' parameters together).
 */
export class MixtureStep {
  readonly io: DecoderIo
  private readonly caches: CacheLayout[]

  private constructor(
    private readonly members: readonly MixtureStepMember[],
    private readonly session: InferenceSession,
    readonly warnings: string[],
    private readonly narrow?: NarrowStep,
  ) {
    const contexts = members.map((m) => m.config.context)
    const lead = members[0].config
    this.io = { layers: lead.layers, kvHeads: lead.heads, headSize: lead.dModel / lead.heads, vocabSize: lead.vocab, positionIds: true, context: Math.min(...contexts) }
    this.caches = members.map((m, i) => ({ prefix: mixturePrefix(i), layers: m.config.layers, kvHeads: m.config.heads, headSize: m.config.dModel / m.config.heads }))
  }

  /** `narrowMacs`: multiply-adds per step (rows × parameters) at most run on one thread (runner.ts's NARROW_STEP_MACS). */
  static async create(members: readonly MixtureStepMember[], request: SessionRequest, narrowMacs: number): Promise<MixtureStep> {
    const program = (sequence: 'any' | 'one') => encodeModel(mixtureStepProgram(members.map((m) => ({ config: m.config, weights: m.builtInWeights })), { sequence }))
    const named = { ...request, name: request.name ? `${request.name} (mixture)` : 'the mixture' }
    const created = await createSession(program('any'), named)
    const rows = Math.floor(narrowMacs / Math.max(...members.map((m) => parameterCount(m.config))))
    const narrow = created.provider === 'cpu' && rows > 0 ? { session: (await createSession(program('one'), { ...named, provider: 'cpu', intraOpNumThreads: 1 })).session, rows } : undefined
    return new MixtureStep(members, created.session, created.warnings, narrow)
  }

  /**
   * A new batch whose logits are Σ_i weights[i] · z_i (one weight per model, in the models' order).
   * `oneThread`: every step on the one-thread session however wide (what a parallel mixture whose
   * lanes have one core each falls back to: the same arithmetic as its members' one-thread steps).
   */
  rows(weights: readonly number[], { oneThread = false }: RowsOptions = {}): DecoderRows {
    if (weights.length !== this.members.length) throw new NashlabError('internal', `The mixture has ${this.members.length} models; got ${weights.length} weights.`)
    const feeds: Record<string, Tensor> = {}
    this.members.forEach((member, i) => {
      const prefix = mixturePrefix(i)
      if (!Number.isFinite(weights[i])) throw new NashlabError('invalid_input', `Model ${i} of the mixture has weight ${weights[i]}, not a finite number.`)
      feeds[`${prefix}weight`] = new ort.Tensor('float32', Float32Array.of(weights[i]), [])
      for (const [name, tensor] of Object.entries(member.weightInputs)) feeds[`${prefix}${name}`] = tensor
    })
    return new SlotBatch(this.session, this.io, feeds, oneThread ? anyWidth(this.narrow) : this.narrow, this.caches)
  }

  async release(): Promise<void> {
    await this.session.release()
    await this.narrow?.session.release()
  }
}
