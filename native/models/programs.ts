import { GraphBuilder, type Value } from '../onnx/builder'
import { DataType } from '../onnx/dtype'
import type { Model } from '../onnx/model'
import type { DecoderConfig } from './config'
import { constantWeights, decoderHead, decoderTrunk, declareDecoderInputs, dimNames, inputWeights, type WeightSource } from './decoder'
import type { Weights } from './weights'

/**
 * The inference programs of a decoder, each its own graph (ONNX Runtime computes every output of a
 * graph, so a generation step must not carry an eval head, and the reverse):
 *
 * - generation step: the standard decoder I/O with a KV cache →
 *   `logits` (batch, sequence, V) — or only the last position's (batch, 1, V) — and `present.{i}.key/value`;
 *   the exported model.onnx is this program with every position's logits and the weights inside.
 * - full forward (no cache): the same without past/present, for checks and the no-cache baseline.
 * - eval: log-probabilities of given next tokens, `token_logprobs` (batch, sequence), where
 *   token_logprobs[b, t] = log p(targets[b, t] | input_ids[b, ≤ t]); optionally `entropy` (batch, sequence).
 *
 * Weights are initializers by default (ONNX Runtime pre-packs them: 10–25% faster) or graph inputs
 * (`weights: 'inputs'`), so one session can run weights that change every step (a policy in training).
 */
/**
 * The ai.onnx opset of every program: 17 (IR 8), which ONNX 1.12's checker and most ONNX consumers
 * accept; GELU is written with Erf there (the Gelu op needs 20).
 */
export const MODEL_OPSET = 17

export interface ProgramOptions {
  weights?: 'constant' | 'inputs'
}

function weightSource(b: GraphBuilder, c: DecoderConfig, weights: Weights | undefined, options: ProgramOptions): WeightSource {
  if (options.weights === 'inputs') return inputWeights(b, c)
  if (!weights) throw new Error('constant weights need the weights')
  return constantWeights(b, c, weights)
}

/** Slice the last position: (B, S, D) → (B, 1, D). */
export function lastPosition(b: GraphBuilder, hidden: Value): Value {
  return b.slice(hidden, [-1], [2 ** 62], [1], undefined, 'last')
}

export interface GenerationProgramOptions extends ProgramOptions {
  /** 'all' (the exported form) or 'last' (sampling needs only the last position; saves the copy). */
  logits?: 'all' | 'last'
  /**
   * 'concat' (the exported form): outputs `present.{i}.key/value` = past ⧺ new. 'slots': the past is
   * the caller's cache buffer, masked where unfilled, and one output `new_key_values`, (batch,
   * layers · 2 · heads, sequence, headSize), holds only this step's keys and values: layer i's key
   * heads, then its value heads, then layer i + 1's (see DecoderInputs.cacheMode).
   */
  cache?: 'concat' | 'slots'
  /**
   * 'any' (default): any number of tokens per row (a prefill, or the exported model). 'one': a
   * decoding step, input_ids (batch, 1), built with fewer operators (TrunkOptions.onePosition).
   */
  sequence?: 'any' | 'one'
}

/** The generation step with a KV cache (standard decoder I/O names). */
export function generationProgram(c: DecoderConfig, weights: Weights | undefined, options: GenerationProgramOptions = {}): Model {
  const b = GraphBuilder.create('nashlab_decoder', MODEL_OPSET)
  const one = options.sequence === 'one'
  const inputs = declareDecoderInputs(b, c, { batch: dimNames.batch, sequence: one ? 1 : dimNames.sequence, past: dimNames.past })
  inputs.cacheMode = options.cache ?? 'concat'
  const w = weightSource(b, c, weights, options)
  const { hidden, present } = decoderTrunk(b, c, w, inputs, { onePosition: one })
  const logits = decoderHead(b, c, w, options.logits === 'last' && !one ? lastPosition(b, hidden) : hidden)
  b.output(logits, 'logits')
  if (inputs.cacheMode === 'slots') {
    // One output for every layer's new keys and values: each output costs the binding a tensor and a copy per run.
    b.output(b.concat(present!.flatMap((p) => [p.key, p.value]), 1, 'new_key_values'), 'new_key_values')
    return b.toModel()
  }
  present!.forEach((p, i) => {
    b.output(p.key, `present.${i}.key`)
    b.output(p.value, `present.${i}.value`)
  })
  return b.toModel()
}

/** The full forward without a cache: logits for every position (or the last). */
export function forwardProgram(c: DecoderConfig, weights: Weights | undefined, options: GenerationProgramOptions = {}): Model {
  const b = GraphBuilder.create('nashlab_decoder_forward', MODEL_OPSET)
  const inputs = declareDecoderInputs(b, c, { batch: dimNames.batch, sequence: dimNames.sequence })
  const w = weightSource(b, c, weights, options)
  const { hidden } = decoderTrunk(b, c, w, inputs)
  b.output(decoderHead(b, c, w, options.logits === 'last' ? lastPosition(b, hidden) : hidden), 'logits')
  return b.toModel()
}

export interface EvalProgramOptions extends ProgramOptions {
  /** Also output the entropy of each position's next-token distribution (nats). */
  entropy?: boolean
}

/**
 * Per-token log-probabilities of given next tokens (`targets`, int64 (batch, sequence); any valid id
 * where nothing is scored). Used for eval, for DPO/Nash-MD log-ratios, and, with a loss on top, by
 * the SFT train step (see `tokenLogProbs`).
 */
export function evalProgram(c: DecoderConfig, weights: Weights | undefined, options: EvalProgramOptions = {}): Model {
  const b = GraphBuilder.create('nashlab_decoder_eval', MODEL_OPSET)
  const inputs = declareDecoderInputs(b, c, { batch: dimNames.batch, sequence: dimNames.sequence })
  const targets = b.input('targets', DataType.int64, [dimNames.batch, dimNames.sequence])
  const w = weightSource(b, c, weights, options)
  const { hidden } = decoderTrunk(b, c, w, inputs)
  const { logprobs, entropy } = tokenLogProbs(b, decoderHead(b, c, w, hidden), targets, options.entropy ?? false)
  b.output(logprobs, 'token_logprobs')
  if (entropy) b.output(entropy, 'entropy')
  return b.toModel()
}

/**
 * log p(target) at each position: LogSoftmax over the vocabulary, then the target's entry.
 * logits (B, S, V), targets (B, S) → (B, S); entropy H = −Σ p·log p, (B, S).
 */
export function tokenLogProbs(b: GraphBuilder, logits: Value, targets: Value, withEntropy: boolean): { logprobs: Value; entropy?: Value } {
  return b.scope('logprobs', () => {
    const logp = b.logSoftmax(logits, -1, 'log_softmax') // (B, S, V)
    const picked = b.op('GatherElements', [logp, b.unsqueeze(targets, [2], 'targets')], { axis: 2 }, 'picked') // (B, S, 1)
    const logprobs = b.squeeze(picked, [2], 'token')
    if (!withEntropy) return { logprobs }
    const entropy = b.neg(b.reduceSum(b.mul(b.exp(logp, 'p'), logp, 'plogp'), [2], false, 'sum'), 'entropy')
    return { logprobs, entropy }
  })
}
