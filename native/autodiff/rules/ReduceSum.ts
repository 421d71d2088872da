import { keptDims, reducedAxes } from '../helpers'
import { gradient } from '../rule'

/** Y = Σ X over axes: dX = dY broadcast back over the reduced axes. */
export const ReduceSum = gradient((ctx) => {
  const axes = reducedAxes(ctx)
  return [ctx.b.expandLike(keptDims(ctx, ctx.dy(0)!, axes), ctx.input(0), 'dx'), null]
})
