import { gradient } from '../rule'

/** Y = √X: dX = dY·0.5 / Y. */
export const Sqrt = gradient((ctx) => {
  const b = ctx.b
  const y = ctx.output(0)
  return [b.div(b.mul(ctx.dy(0)!, b.scalarLike(0.5, y), 'half_dy'), y, 'dx')]
})
