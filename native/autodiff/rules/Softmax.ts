import { sameShape, type Value } from '../../onnx/builder'
import { axisOf } from '../helpers'
import { gradient, type GradientContext } from '../rule'

/**
 * The axes a Softmax-family node normalises over: its single axis from opset 13, and before that
 * every axis from `axis` on (the input is coerced to 2-D there).
 */
export function softmaxAxes(axis: number, rank: number, opset: number): number[] {
  const a = axisOf(axis, rank)
  return opset >= 13 ? [a] : Array.from({ length: rank - a }, (_, i) => a + i)
}

/**
 * Y = softmax(X): dX = Y·(dY − Σ(dY·Y)) over the softmax axis.
 * Attention (Y's only reader is O = Y·V on the last axis, same batch dims): dY = dO·Vᵀ, so
 * Σⱼ dYᵢⱼ·Yᵢⱼ = Σⱼ Σₖ dOᵢₖ·Vⱼₖ·Yᵢⱼ = Σₖ dOᵢₖ·Oᵢₖ, a sum over the head width instead of the
 * sequence: two passes over the (…, T, hd) tensors replace two over the (…, T, T) scores.
 */
export const Softmax = gradient((ctx) => {
  const b = ctx.b
  const y = ctx.output(0)
  const dy = ctx.dy(0)!
  const axes = softmaxAxes(ctx.hasAttribute('axis') ? ctx.int('axis') : ctx.opset >= 13 ? -1 : 1, y.shape.length, ctx.opset)
  const mixed = attentionProduct(ctx, y, axes)
  const dot = mixed ? b.reduceSum(b.mul(mixed.dO, mixed.O, 'do_o'), [-1], true, 'dot') : b.reduceSum(b.mul(dy, y, 'dy_y'), axes, true, 'dot')
  return [b.mul(y, b.sub(dy, dot, 'centered'), 'dx')]
})

/** O = MatMul(Y, V) and its gradient when that product is all Y feeds, over Y's last axis with Y's batch dims. */
function attentionProduct(ctx: GradientContext, y: Value, axes: number[]): { O: Value; dO: Value } | null {
  const rank = y.shape.length
  if (rank < 2 || axes.length !== 1 || axes[0] !== rank - 1) return null
  const readers = ctx.consumers(y.name)
  if (readers.length !== 1) return null
  const product = readers[0]
  if (product.opType !== 'MatMul' || (product.domain ?? '') !== '' || product.inputs[0] !== y.name || product.inputs[1] === y.name) return null
  const O = ctx.b.value(product.outputs[0])
  const V = ctx.b.value(product.inputs[1])
  if (V.shape.length < 2 || O.shape.length !== rank || !sameShape(O.shape.slice(0, -1), y.shape.slice(0, -1))) return null
  const dO = ctx.gradientAt(O.name)
  return dO && sameShape(dO.shape, O.shape) ? { O, dO } : null
}
