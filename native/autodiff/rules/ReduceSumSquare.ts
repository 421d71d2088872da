import { keptDims, reducedAxes } from '../helpers'
import { gradient } from '../rule'

/** Y = Σ X² over axes: dX = 2·X·dY broadcast back. */
export const ReduceSumSquare = gradient((ctx) => {
  const b = ctx.b
  const x = ctx.input(0)
  const axes = reducedAxes(ctx)
  return [b.mul(b.mul(x, b.scalarLike(2, x), 'two_x'), keptDims(ctx, ctx.dy(0)!, axes), 'dx'), null]
})
