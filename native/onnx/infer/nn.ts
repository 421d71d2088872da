import { DataType } from '../dtype'
import type { Dim } from '../model'
import { broadcastShapes, formatShape, normAxis, rankOf, type InferFn } from './context'

export const matMul: InferFn = (ctx) => {
  const a = ctx.required(0)
  const b = ctx.required(1)
  if (a.dtype !== b.dtype) ctx.fail('multiplies tensors of different element types.')
  if (!a.shape || !b.shape) return [{ dtype: a.dtype }]
  const as = a.shape.length === 1 ? [1, a.shape[0]] : a.shape
  const bs = b.shape.length === 1 ? [b.shape[0], 1] : b.shape
  const k1 = as[as.length - 1]
  const k2 = bs[bs.length - 2]
  if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) {
    ctx.fail(`multiplies ${formatShape(a.shape)} by ${formatShape(b.shape)}: inner sizes ${k1} and ${k2} differ.`)
  }
  const batch = broadcastShapes(ctx, [as.slice(0, -2), bs.slice(0, -2)])!
  const shape: Dim[] = [...batch]
  if (a.shape.length !== 1) shape.push(as[as.length - 2])
  if (b.shape.length !== 1) shape.push(bs[bs.length - 1])
  return [{ dtype: a.dtype, shape }]
}

export const gemm: InferFn = (ctx) => {
  const a = ctx.required(0)
  const b = ctx.required(1)
  if (rankOf(ctx, a, 'A') !== 2 || rankOf(ctx, b, 'B') !== 2) ctx.fail('needs 2-D A and B.')
  const [m, k1] = ctx.int('transA') ? [a.shape![1], a.shape![0]] : a.shape!
  const [k2, n] = ctx.int('transB') ? [b.shape![1], b.shape![0]] : b.shape!
  if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) ctx.fail(`has inner sizes ${k1} and ${k2} that differ.`)
  const c = ctx.input(2)
  if (c) broadcastShapes(ctx, [[m, n], c.shape])
  return [{ dtype: a.dtype, shape: [m, n] }]
}

export const layerNormalization: InferFn = (ctx) => {
  const x = ctx.required(0)
  const rank = rankOf(ctx, x)
  const axis = normAxis(ctx, ctx.int('axis'), rank)
  const stats = x.shape!.map((d, i) => (i < axis ? d : 1))
  const stash = ctx.int('stash_type') === 1 ? DataType.float : x.dtype
  return [
    { dtype: x.dtype, shape: x.shape },
    { dtype: stash, shape: stats },
    { dtype: stash, shape: stats },
  ]
}

/** SoftmaxCrossEntropyLoss and NegativeLogLikelihoodLoss: scores (N, C, d1, …), labels (N, d1, …). */
export const crossEntropy: InferFn = (ctx) => {
  const scores = ctx.required(0)
  const labels = ctx.required(1)
  const rank = rankOf(ctx, scores, 'scores')
  if (rank < 2) ctx.fail('needs scores of rank at least 2 (N, C, …).')
  if (labels.shape && labels.shape.length !== rank - 1) ctx.fail(`needs labels of rank ${rank - 1}, got ${formatShape(labels.shape)}.`)
  const reduction = ctx.string('reduction')
  const loss = reduction === 'none' ? [scores.shape![0], ...scores.shape!.slice(2)] : []
  return [
    { dtype: scores.dtype, shape: loss },
    { dtype: scores.dtype, shape: scores.shape },
  ]
}
