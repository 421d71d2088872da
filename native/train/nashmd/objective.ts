import { GraphBuilder } from '../../onnx/builder'
import { DataType } from '../../onnx/dtype'
import type { Model } from '../../onnx/model'
import type { DecoderConfig } from '../../models/config'
import { buildGpt } from '../../models/gpt'
import type { Weights } from '../../models/weights'

/**
 * The one policy objective every sequence trainer shares: a weighted log-likelihood
 *
 *   loss = −Σ_b Σ_t w_bt · log π_θ(targets_bt | input_ids_b,≤t)
 *
 * with `token_weights` w (batch, sequence) fed per step as a plain input, so no gradient flows
 * through it (it is sg[·] by construction). The trainers put their estimator into w:
 * - nash-md-pg / self-play / best-response / nash-ema-pg: w = A_bn / B (advantage.ts),
 * - rlhf: w = (r − baseline − τ·Σ_{m≥n} log π/μ) / B,
 * on completion tokens up to and including the first EOS, and 0 on prompt tokens and padding
 * (B: the rows of the pass; see PolicyTrainer for the normalisation over the effective batch).
 *
 * The forward is gpt.ts's (the same weights and arithmetic as the decoder the samplers run,
 * checked in native/models/decoder.test.ts; its residual stream is 2-D so every linear layer is
 * one Gemm, and its causal mask a constant, which makes the train step faster than the decoder
 * with an attention mask). Rows must be right-padded, each starting at position 0: then padding
 * only follows the real tokens, and the causal mask keeps it out of them.
 *
 * Inputs, all (batch, sequence): input_ids and targets (int64; the next token of each position,
 * any valid id where w = 0), token_weights (float). Output: `loss` (scalar). The policy's weights
 * are initializers (the train-step builder turns them into inputs). Shapes are static: one program
 * per micro-batch shape.
 */
export const TOKEN_WEIGHTS = 'token_weights'

export function policyObjective(c: DecoderConfig, weights: Weights, shape: { batch: number; sequence: number }): Model {
  const { batch: B, sequence: S } = shape
  const { model } = buildGpt(c, { batch: B, sequence: S, outputs: 'logits', weights })
  const b = GraphBuilder.edit(model)
  const logits = b.value('logits') // (B·S, V)
  b.graph.outputs = []
  const targets = b.input('targets', DataType.int64, [B, S])
  const w = b.input(TOKEN_WEIGHTS, DataType.float, [B, S])
  const loss = b.scope('objective', () => {
    const logp = b.logSoftmax(logits, -1, 'log_softmax') // (B·S, V)
    const picked = b.op('GatherElements', [logp, b.reshape(targets, [-1, 1], 'targets')], { axis: 1 }, 'picked') // (B·S, 1)
    const weighted = b.mul(b.reshape(picked, [-1], 'token_logprobs'), b.reshape(w, [-1], 'weights'), 'weighted') // (B·S)
    return b.neg(b.reduceSum(weighted, [0], false, 'sum'), 'loss')
  })
  b.output(loss, 'loss')
  return b.toModel()
}
