import { gradient } from '../rule'

/** Y = X with axes permuted by p: dX = dY permuted by p⁻¹. */
export const Transpose = gradient((ctx) => {
  const rank = ctx.input(0).shape.length
  const perm = ctx.ints('perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i)
  const inverse = new Array<number>(rank)
  perm.forEach((p, i) => (inverse[p] = i))
  return [ctx.b.transpose(ctx.dy(0)!, inverse, 'dx')]
})
