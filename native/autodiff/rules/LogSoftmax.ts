import { gradient } from '../rule'
import { softmaxAxes } from './Softmax'

/** Y = log softmax(X): dX = dY − exp(Y)·Σ dY over the axis. */
export const LogSoftmax = gradient((ctx) => {
  const b = ctx.b
  const y = ctx.output(0)
  const dy = ctx.dy(0)!
  const axes = softmaxAxes(ctx.hasAttribute('axis') ? ctx.int('axis') : ctx.opset >= 13 ? -1 : 1, y.shape.length, ctx.opset)
  const total = b.reduceSum(dy, axes, true, 'total')
  return [b.sub(dy, b.mul(b.exp(y, 'p'), total, 'p_total'), 'dx')]
})
