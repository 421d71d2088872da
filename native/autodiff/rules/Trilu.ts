import { gradient } from '../rule'

/** Y = the upper (or lower) triangle of X: dX = the same triangle of dY. */
export const Trilu = gradient((ctx) => {
  const inputs = ctx.hasInput(1) ? [ctx.dy(0)!, ctx.input(1)] : [ctx.dy(0)!]
  return [ctx.b.op('Trilu', inputs, { upper: ctx.int('upper') }, 'dx'), null]
})
