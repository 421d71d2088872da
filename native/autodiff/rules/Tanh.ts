import { gradient } from '../rule'

/** Y = tanh X: dX = dY·(1 − Y²). */
export const Tanh = gradient((ctx) => {
  const b = ctx.b
  const y = ctx.output(0)
  return [b.mul(ctx.dy(0)!, b.sub(b.scalarLike(1, y), b.mul(y, y, 'y2'), 'one_minus_y2'), 'dx')]
})
