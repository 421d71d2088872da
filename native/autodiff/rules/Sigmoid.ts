import { gradient } from '../rule'

/** Y = σ(X): dX = dY·Y·(1 − Y). */
export const Sigmoid = gradient((ctx) => {
  const b = ctx.b
  const y = ctx.output(0)
  return [b.mul(ctx.dy(0)!, b.mul(y, b.sub(b.scalarLike(1, y), y, 'one_minus_y'), 'slope'), 'dx')]
})
