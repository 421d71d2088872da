import { axisOf } from '../helpers'
import { gradient } from '../rule'

/** Y = concat(X₀, X₁, …) on an axis: dXᵢ = the matching piece of dY (a Split; sizes must be static). */
export const Concat = gradient((ctx) => {
  const b = ctx.b
  const dy = ctx.dy(0)!
  const axis = axisOf(ctx.int('axis'), dy.shape.length)
  const sizes = ctx.node.inputs.map((_, i) => {
    const d = ctx.input(i).shape[axis]
    return typeof d === 'number' ? d : ctx.fail(`input ${i} has a size on axis ${axis} that is not static.`)
  })
  return b.split(dy, sizes, axis, 'dx')
})
