import { axisOf } from '../helpers'
import { gradient } from '../rule'

/** Y₀, Y₁, … = split(X) on an axis: dX = concat(dY₀, dY₁, …), zeros for outputs no gradient reached. */
export const Split = gradient((ctx) => {
  const b = ctx.b
  const x = ctx.input(0)
  const axis = axisOf(ctx.int('axis'), x.shape.length)
  const pieces = ctx.node.outputs.map((_, i) => ctx.dy(i) ?? b.zerosLike(ctx.output(i), `zeros${i}`))
  return [b.concat(pieces, axis, 'dx'), null]
})
