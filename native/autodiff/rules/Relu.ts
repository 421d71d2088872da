import { gradient } from '../rule'

/** Y = max(X, 0): dX = dY where X > 0, else 0. */
export const Relu = gradient((ctx) => {
  const b = ctx.b
  const x = ctx.input(0)
  const dy = ctx.dy(0)!
  return [b.where(b.greater(x, b.scalarLike(0, x), 'positive'), dy, b.scalarLike(0, x), 'dx')]
})
