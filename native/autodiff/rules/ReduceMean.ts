import { keptDims, reducedAxes, reducedCount } from '../helpers'
import { gradient } from '../rule'

/** Y = mean of X over axes: dX = dY/N broadcast back, N the number of elements averaged. */
export const ReduceMean = gradient((ctx) => {
  const b = ctx.b
  const x = ctx.input(0)
  const axes = reducedAxes(ctx)
  const scaled = b.div(keptDims(ctx, ctx.dy(0)!, axes), reducedCount(ctx, x, axes), 'dy_over_n')
  return [b.expandLike(scaled, x, 'dx'), null]
})
