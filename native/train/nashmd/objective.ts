import { GraphBuilder } from '../../onnx/builder'
import { DataType } from '../../onnx/dtype'
import type { Model } from '../../onnx/model'
import type { DecoderConfig } from '../../models/config'
import { constantWeights, decoderHead, decoderTrunk, declareDecoderInputs } from '../../models/decoder'
import { MODEL_OPSET, tokenLogProbs } from '../../models/programs'
import type { Weights } from '../../models/weights'

/**
 * The one policy objective every sequence trainer shares: a weighted log-likelihood
 *
 *   loss = −Σ_b Σ_t w_bt · log π_θ(targets_bt | input_ids_b,≤t)
 *
 * with `token_weights` w (batch, sequence) fed per step as a plain input, so no gradient flows
 * through it (it is sg[·] by construction). The trainers put their estimator into w:
 * - nash-md-pg / self-play / best-response / nash-ema-pg: w = A_bn / B_eff (advantage.ts),
 * - rlhf: w = (r − baseline − τ·Σ_{m≥n} log π/μ) / B_eff,
 * on completion tokens up to and including the first EOS, and 0 on prompt tokens and padding.
 * The 1/B_eff (effective batch: micro-batches × rows) is inside w, so the gradient is normalised
 * over the effective batch whatever the split into micro-batches (see PolicyTrainer).
 *
 * Inputs, all (batch, sequence), rows right-padded: input_ids, attention_mask, position_ids (int64),
 * targets (int64, the next token of each position; any valid id where w = 0), token_weights (float).
 * Output: `loss` (scalar). The policy's weights are initializers (the train-step builder turns them
 * into inputs). Shapes are static: one program per micro-batch shape.
 */
export const TOKEN_WEIGHTS = 'token_weights'

export function policyObjective(c: DecoderConfig, weights: Weights, shape: { batch: number; sequence: number }): Model {
  const b = GraphBuilder.create('nashlab_policy_objective', MODEL_OPSET)
  const inputs = declareDecoderInputs(b, c, { batch: shape.batch, sequence: shape.sequence })
  const targets = b.input('targets', DataType.int64, [shape.batch, shape.sequence])
  const w = b.input(TOKEN_WEIGHTS, DataType.float, [shape.batch, shape.sequence])
  const source = constantWeights(b, c, weights)
  const { hidden } = decoderTrunk(b, c, source, inputs)
  const { logprobs } = tokenLogProbs(b, decoderHead(b, c, source, hidden), targets, false) // (B, S)
  const loss = b.scope('objective', () => b.neg(b.reduceSum(b.mul(logprobs, w, 'weighted'), [0, 1], false, 'sum'), 'loss'))
  b.output(loss, 'loss')
  return b.toModel()
}
