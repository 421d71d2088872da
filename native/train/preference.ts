import { z } from 'zod'
import { NashlabError } from '../api/errors'
import type { Outcome } from '../api/datasets'
import type { PreferenceEvaluation } from '../models/manifest'
import { GraphBuilder } from '../onnx/builder'
import { DataType } from '../onnx/dtype'
import type { Model } from '../onnx/model'
import { constantWeights } from '../models/decoder'
import { leftPadded } from '../models/padding'
import { declarePairInputs, pairLogit, pairSequences, preferenceWeightSpecs, type PairSequences } from '../models/preference'
import type { PreferenceConfig } from '../models/preference-config'
import { MODEL_OPSET } from '../models/programs'
import type { PromptTemplate } from '../models/tokenizer/template'
import type { Tokenizer } from '../models/tokenizer/tokenizer'
import type { Weights } from '../models/weights'
import { ort } from '../runtime/ort'
import { runTraining, type TrainingHooks, type TrainingResult } from './run-training'
import { splitHoldout } from './sft'
import { resolveTrainConfig, trainConfigFields, type TrainConfig } from './train-config'
import type { Feeds, Trainer } from './trainer'

/**
 * Training the pairwise preference model and the Bradley–Terry reward model on comparisons:
 * cross-entropy of P(a ≻ b | x) = σ(logit) against the label y (a: 1, b: 0, tie: ½),
 *   loss = mean over pairs of  −y·log σ(z) − (1 − y)·log(1 − σ(z))
 *        = mean of  max(z, 0) − y·z + log(1 + e^(−|z|))   (the stable form used in the graph).
 * Comparisons judged "both bad" say nothing about the order and are left out unless asked for
 * (then they count as ties). Held-out pairs report accuracy (decisive pairs), log-loss and the
 * expected calibration error.
 */
export const preferenceTrainSchema = z
  .object({
    ...trainConfigFields,
    /** Rows are `x EOS y EOS y′ EOS` (pairwise) or `x EOS y EOS` (Bradley–Terry); at most the trunk's context. Default: the longest pair (a multiple of 8), at most the context. */
    sequence: z.number().int().min(4).max(8192).optional(),
    /** Count "both bad" comparisons as ties instead of leaving them out. */
    includeBothBad: z.boolean().default(false),
  })
  .strict()

export type PreferenceTrainInput = z.input<typeof preferenceTrainSchema>

export interface PreferenceTrainConfig extends TrainConfig {
  sequence: number
  includeBothBad: boolean
}

/** `longest`: the longest pair sequence in tokens, when known (else 128). */
export function resolvePreferenceTrainConfig(input: PreferenceTrainInput, model: PreferenceConfig, longest = 128): PreferenceTrainConfig {
  const parsed = preferenceTrainSchema.parse(input)
  const sequence = parsed.sequence ?? Math.min(model.trunk.context, Math.max(8, Math.ceil(longest / 8) * 8))
  if (sequence > model.trunk.context) {
    throw new NashlabError('invalid_input', `The sequence length ${sequence} exceeds the preference model's context of ${model.trunk.context} tokens.`, { field: 'sequence' })
  }
  return { ...resolveTrainConfig(parsed), sequence, includeBothBad: parsed.includeBothBad }
}

/** One judged comparison. */
export interface Judgement {
  prompt: string
  a: string
  b: string
  outcome: Outcome
}

/** A training pair: its two sequences and the probability that the first response is preferred. */
export interface LabelledPair extends PairSequences {
  label: number
}

/** The label of an outcome: a → 1, b → 0, tie → ½; both bad → ½ when included, else null (left out). */
export function outcomeLabel(outcome: Outcome, includeBothBad: boolean): number | null {
  if (outcome === 'a') return 1
  if (outcome === 'b') return 0
  if (outcome === 'tie') return 0.5
  return includeBothBad ? 0.5 : null
}

/** The training forward: pair inputs and `labels` (B) → `loss` (mean cross-entropy) and `logit` (B). */
export function preferenceTrainForward(p: PreferenceConfig, weights: Weights, batch: number, sequence: number): Model {
  const b = GraphBuilder.create('nashlab_preference_train', MODEL_OPSET)
  const pair = declarePairInputs(b, p, batch, sequence)
  const labels = b.input('labels', DataType.float, [batch])
  const w = constantWeights(b, p.trunk, weights)
  b.initializer('score.weight', DataType.float, [p.trunk.dModel, 1], weights.get('score.weight')!)
  const z = pairLogit(b, p, w, pair)
  const loss = b.scope('loss', () => {
    const positive = b.relu(z, 'relu')
    const softplus = b.log(b.add(b.scalar(1), b.exp(b.neg(b.abs(z, 'abs'), 'neg_abs'), 'exp'), 'one_plus'), 'log1p')
    const perPair = b.add(b.sub(positive, b.mul(labels, z, 'label_logit'), 'margin'), softplus, 'cross_entropy')
    return b.reduceMean(perPair, [0], false, 'mean')
  })
  b.output(loss, 'loss')
  b.output(z, 'logit')
  return b.toModel()
}

/** Tokens of the longest pair sequence (uncut). */
export function longestPair(kind: PreferenceConfig['kind'], tokenizer: Tokenizer, template: PromptTemplate, judgements: readonly Judgement[]): number {
  let longest = 1
  for (const j of judgements) {
    const s = pairSequences(kind, tokenizer, template, Number.MAX_SAFE_INTEGER, j.prompt, j.a, j.b)
    longest = Math.max(longest, s.first.length, s.second.length)
  }
  return longest
}

/** Feeds of a micro-batch of pairs, left-padded to `sequence`. */
export function pairFeeds(pairs: readonly LabelledPair[], sequence: number): Feeds {
  const first = leftPadded(pairs.map((p) => p.first), sequence)
  const second = leftPadded(pairs.map((p) => p.second), sequence)
  const shape = [pairs.length, sequence]
  const t = (data: BigInt64Array) => new ort.Tensor('int64', data, shape)
  return {
    input_ids: t(first.ids),
    attention_mask: t(first.mask),
    position_ids: t(first.positions),
    swapped_input_ids: t(second.ids),
    swapped_attention_mask: t(second.mask),
    swapped_position_ids: t(second.positions),
    labels: new ort.Tensor('float32', Float32Array.from(pairs, (p) => p.label), [pairs.length]),
  }
}

/** Held-out metrics of probabilities against labels. */
export function preferenceMetrics(probabilities: ArrayLike<number>, labels: ArrayLike<number>): PreferenceEvaluation {
  const n = labels.length
  let correct = 0
  let decisive = 0
  let logLoss = 0
  const bins = Array.from({ length: 10 }, () => ({ count: 0, p: 0, y: 0 }))
  for (let i = 0; i < n; i++) {
    const p = Math.min(1 - 1e-12, Math.max(1e-12, probabilities[i]))
    const y = labels[i]
    logLoss -= y * Math.log(p) + (1 - y) * Math.log(1 - p)
    if (y !== 0.5) {
      decisive++
      correct += p === 0.5 ? 0.5 : (p > 0.5) === (y === 1) ? 1 : 0
    }
    const bin = bins[Math.min(9, Math.floor(probabilities[i] * 10))]
    bin.count++
    bin.p += probabilities[i]
    bin.y += y
  }
  const calibrationError = bins.reduce((e, b) => (b.count === 0 ? e : e + (b.count / n) * Math.abs(b.p / b.count - b.y / b.count)), 0)
  return { pairs: n, accuracy: decisive ? correct / decisive : 0, logLoss: n ? logLoss / n : 0, calibrationError }
}

export interface PreferenceTrainingInput {
  model: PreferenceConfig
  config: PreferenceTrainConfig
  runConfig: Record<string, unknown>
  weights: Weights
  tokenizer: Tokenizer
  template: PromptTemplate
  judgements: readonly Judgement[]
  checkpointRoot: string
  resumeFrom?: string
  hooks?: TrainingHooks
}

export interface PreferenceTrainingResult extends TrainingResult {
  evaluation: PreferenceEvaluation | null
  /** Pairs used for training and held out (after leaving out "both bad" ones). */
  trainPairs: number
  heldOutPairs: number
}

/** Train to `config.steps` (resuming when asked); the last evaluation is also returned. */
export async function runPreferenceTraining(input: PreferenceTrainingInput): Promise<PreferenceTrainingResult> {
  const { model, config, tokenizer, template } = input
  const pairs: LabelledPair[] = []
  for (const j of input.judgements) {
    const label = outcomeLabel(j.outcome, config.includeBothBad)
    if (label === null) continue
    pairs.push({ ...pairSequences(model.kind, tokenizer, template, config.sequence, j.prompt, j.a, j.b), label })
  }
  if (pairs.length === 0) throw new NashlabError('invalid_input', 'The dataset has no comparisons to learn from (only "both bad" ones, which are left out unless asked for).')
  const { train, holdout } = splitHoldout(pairs, config.holdout, config.seed)
  const forward = preferenceTrainForward(model, input.weights, config.microBatch, config.sequence)
  const trainable = preferenceWeightSpecs(model)
  let evaluation: PreferenceEvaluation | null = null
  const evaluate = async (trainer: Trainer) => {
    const probabilities: number[] = []
    for (let start = 0; start < holdout.length; start += config.microBatch) {
      const chunk = holdout.slice(start, start + config.microBatch)
      const filled = [...chunk, ...new Array<LabelledPair>(config.microBatch - chunk.length).fill(chunk[0])]
      const out = await trainer.evaluate(pairFeeds(filled, config.sequence), ['logit'])
      const logits = out.logit.data as Float32Array
      for (let i = 0; i < chunk.length; i++) probabilities.push(1 / (1 + Math.exp(-logits[i])))
    }
    evaluation = preferenceMetrics(probabilities, holdout.map((p) => p.label))
    return { 'eval/accuracy': evaluation.accuracy, 'eval/log_loss': evaluation.logLoss, 'eval/calibration_error': evaluation.calibrationError }
  }
  const result = await runTraining<LabelledPair>({
    algorithm: model.kind === 'pairwise' ? 'preference' : 'reward',
    config,
    runConfig: input.runConfig,
    forward,
    trainable,
    examples: train,
    feeds: (batch) => ({ feeds: pairFeeds(batch, config.sequence), weight: batch.length }),
    evaluate: holdout.length > 0 ? evaluate : undefined,
    checkpointRoot: input.checkpointRoot,
    resumeFrom: input.resumeFrom,
    hooks: input.hooks,
  })
  return { ...result, evaluation, trainPairs: train.length, heldOutPairs: holdout.length }
}
