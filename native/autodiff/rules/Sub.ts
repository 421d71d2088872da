import { gradient } from '../rule'

/** Y = A − B: dA = dY, dB = −dY. */
export const Sub = gradient((ctx) => {
  const dy = ctx.dy(0)!
  return [dy, ctx.needs(1) ? ctx.b.neg(dy, 'db') : null]
})
