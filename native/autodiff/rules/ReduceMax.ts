import { keptDims, reducedAxes } from '../helpers'
import { gradient, type GradientContext } from '../rule'

/**
 * Y = max (or min) of X over axes: dX = dY at the elements equal to the extremum, shared evenly
 * among ties (the subgradient PyTorch's amax uses), zero elsewhere.
 */
export function extremumGradient(ctx: GradientContext) {
  const b = ctx.b
  const x = ctx.input(0)
  const axes = reducedAxes(ctx)
  const y = keptDims(ctx, ctx.output(0), axes)
  const hit = b.cast(b.equal(x, y, 'is_extremum'), x.dtype, 'hit')
  const ties = b.reduceSum(hit, axes, true, 'ties')
  const share = b.div(keptDims(ctx, ctx.dy(0)!, axes), ties, 'share')
  return [b.mul(hit, share, 'dx'), null]
}

export const ReduceMax = gradient(extremumGradient)
