import { gradient } from '../rule'

/** Y = erf X: dX = dY·(2/√π)·exp(−X²). */
export const Erf = gradient((ctx) => {
  const b = ctx.b
  const x = ctx.input(0)
  const bell = b.exp(b.neg(b.mul(x, x, 'x2'), 'neg_x2'), 'bell')
  return [b.mul(ctx.dy(0)!, b.mul(bell, b.scalarLike(2 / Math.sqrt(Math.PI), x), 'slope'), 'dx')]
})
