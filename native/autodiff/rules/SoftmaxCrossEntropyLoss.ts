import { knownNumel } from '../../onnx/infer/context'
import type { Value } from '../../onnx/builder'
import { gradient } from '../rule'

/**
 * loss = −Σᵢ wᵢ·log softmax(scores)ᵢ[labelᵢ] / norm, scores (N, C, d…), labels (N, d…), where
 * wᵢ = weights[labelᵢ] (1 without weights) and 0 where labelᵢ = ignore_index; norm = Σ wᵢ for
 * 'mean', 1 for 'sum' ('none' keeps the per-sample losses).
 * dScores = (softmax(scores) − onehot(label)) · wᵢ · dLossᵢ / norm, with the softmax read from the
 * node's log_prob output (added when omitted). A gradient arriving at log_prob itself is the
 * LogSoftmax gradient over the class axis.
 */
export const SoftmaxCrossEntropyLoss = gradient((ctx) => {
  const b = ctx.b
  const scores = ctx.input(0)
  const labels = ctx.input(1)
  const rank = scores.shape.length
  const classes = scores.shape[1]
  if (typeof classes !== 'number') ctx.fail('needs a static number of classes (axis 1 of the scores).')
  const logProb = ctx.output(1)
  const prob = b.exp(logProb, 'prob')
  let total: Value | null = null
  const dLoss = ctx.dy(0)
  if (dLoss) {
    const reduction = ctx.string('reduction')
    const ignore = ctx.hasAttribute('ignore_index') ? ctx.int('ignore_index') : undefined
    // Per-sample weights w (N, d…), or null for all ones.
    let w: Value | null = null
    let safeLabels = labels
    if (ignore !== undefined) {
      const ignored = b.equal(labels, b.scalar(ignore, labels.dtype), 'ignored')
      w = b.cast(b.not(ignored, 'kept'), scores.dtype, 'keep')
      safeLabels = b.where(ignored, b.scalar(0, labels.dtype), labels, 'safe_labels')
    }
    if (ctx.hasInput(2)) {
      const classWeight = b.gather(ctx.input(2), safeLabels, 0, 'class_weight')
      w = w ? b.mul(w, classWeight, 'weight') : classWeight
    }
    let factor: Value = dLoss
    if (reduction === 'mean') {
      const all = Array.from({ length: labels.shape.length }, (_, i) => i)
      const count = knownNumel(labels.shape)
      if (!w && count === undefined) ctx.fail("with reduction 'mean' and no ignore_index needs static label shapes.")
      const denom = w ? b.reduceSum(w, all, false, 'denominator') : b.scalarLike(count!, scores)
      const safe = w ? b.where(b.equal(denom, b.scalarLike(0, scores), 'empty'), b.scalarLike(1, scores), denom, 'safe_denominator') : denom
      factor = b.div(dLoss, safe, 'dloss_over_n')
    }
    if (w) factor = b.mul(factor, w, 'weighted')
    const range = Array.from({ length: classes as number }, (_, i) => i)
    const classShape = [1, classes as number, ...new Array<number>(rank - 2).fill(1)]
    const classIds = b.constant(labels.dtype, classShape, range, 'class_ids')
    const onehot = b.cast(b.equal(b.unsqueeze(labels, [1], 'labels_col'), classIds, 'is_label'), scores.dtype, 'onehot')
    const perSample = factor.shape.length === 0 ? factor : b.unsqueeze(factor, [1], 'factor_col')
    total = b.mul(b.sub(prob, onehot, 'residual'), perSample, 'dscores')
  }
  const dLogProb = ctx.dy(1)
  if (dLogProb) {
    const fromLogProb = b.sub(dLogProb, b.mul(prob, b.reduceSum(dLogProb, [1], true, 'total'), 'p_total'), 'dscores_logprob')
    total = total ? b.add(total, fromLogProb, 'dscores_sum') : fromLogProb
  }
  return [total, null, null]
})
