import { gradient } from '../rule'

/** Y = 1/X: dX = −dY·Y². */
export const Reciprocal = gradient((ctx) => {
  const b = ctx.b
  const y = ctx.output(0)
  return [b.neg(b.mul(ctx.dy(0)!, b.mul(y, y, 'y2'), 'dy_y2'), 'dx')]
})
