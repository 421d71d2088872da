import { axisOf } from '../helpers'
import { gradient } from '../rule'

/**
 * The axes a Softmax-family node normalises over: its single axis from opset 13, and before that
 * every axis from `axis` on (the input is coerced to 2-D there).
 */
export function softmaxAxes(axis: number, rank: number, opset: number): number[] {
  const a = axisOf(axis, rank)
  return opset >= 13 ? [a] : Array.from({ length: rank - a }, (_, i) => a + i)
}

/** Y = softmax(X): dX = Y·(dY − Σ(dY·Y)) over the softmax axis. */
export const Softmax = gradient((ctx) => {
  const b = ctx.b
  const y = ctx.output(0)
  const dy = ctx.dy(0)!
  const axes = softmaxAxes(ctx.hasAttribute('axis') ? ctx.int('axis') : ctx.opset >= 13 ? -1 : 1, y.shape.length, ctx.opset)
  const dot = b.reduceSum(b.mul(dy, y, 'dy_y'), axes, true, 'dot')
  return [b.mul(y, b.sub(dy, dot, 'centered'), 'dx')]
})
