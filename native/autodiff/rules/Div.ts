import { gradient } from '../rule'

/** Y = A / B: dA = dY / B, dB = −dY·A/B² = −(dY·Y)/B. */
export const Div = gradient((ctx) => {
  const dy = ctx.dy(0)!
  const b = ctx.b
  const B = ctx.input(1)
  return [ctx.needs(0) ? b.div(dy, B, 'da') : null, ctx.needs(1) ? b.neg(b.div(b.mul(dy, ctx.output(0), 'dy_y'), B, 'dy_y_over_b'), 'db') : null]
})
