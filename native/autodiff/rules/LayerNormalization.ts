import { axisOf } from '../helpers'
import { gradient } from '../rule'

/**
 * Y = x̂·Scale + B with x̂ = (X − μ)·r, r = 1/√(σ² + ε), over the axes from `axis` on.
 * With g = dY·Scale: dX = r·(g − mean(g) − x̂·mean(g·x̂)); dScale = dY·x̂, dB = dY (summed over the
 * leading axes by the central broadcast reduction). μ and r are the node's Mean and InvStdDev
 * outputs (added to the node when it omitted them).
 */
export const LayerNormalization = gradient((ctx) => {
  const b = ctx.b
  const x = ctx.input(0)
  const scale = ctx.input(1)
  const dy = ctx.dy(0)!
  if (ctx.dy(1) || ctx.dy(2)) ctx.fail('gradients through its Mean or InvStdDev outputs are not supported.')
  const rank = x.shape.length
  const axis = axisOf(ctx.int('axis'), rank)
  const axes = Array.from({ length: rank - axis }, (_, i) => axis + i)
  const mean = b.cast(ctx.output(1), x.dtype, 'mean_cast')
  const invStd = b.cast(ctx.output(2), x.dtype, 'inv_std_cast')
  const xhat = b.mul(b.sub(x, mean, 'centered'), invStd, 'xhat')
  let dx = null
  if (ctx.needs(0)) {
    const g = b.mul(dy, scale, 'g')
    const meanG = b.reduceMean(g, axes, true, 'mean_g')
    const meanGx = b.reduceMean(b.mul(g, xhat, 'g_xhat'), axes, true, 'mean_g_xhat')
    dx = b.mul(b.sub(b.sub(g, meanG, 'g_centered'), b.mul(xhat, meanGx, 'xhat_mean_g_xhat'), 'inner'), invStd, 'dx')
  }
  const dscale = ctx.needs(1) ? b.mul(dy, xhat, 'dscale') : null
  const dbias = ctx.hasInput(2) && ctx.needs(2) ? dy : null
  return [dx, dscale, dbias]
})
