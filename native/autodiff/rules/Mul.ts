import { gradient } from '../rule'

/** Y = A·B: dA = dY·B, dB = dY·A. */
export const Mul = gradient((ctx) => {
  const dy = ctx.dy(0)!
  const b = ctx.b
  return [ctx.needs(0) ? b.mul(dy, ctx.input(1), 'da') : null, ctx.needs(1) ? b.mul(dy, ctx.input(0), 'db') : null]
})
