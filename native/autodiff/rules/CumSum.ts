import { gradient } from '../rule'

/** Y = cumulative sum of X along an axis: dX = the cumulative sum of dY in the other direction. */
export const CumSum = gradient((ctx) => {
  const attrs = { exclusive: ctx.int('exclusive'), reverse: ctx.int('reverse') === 1 ? 0 : 1 }
  return [ctx.b.op('CumSum', [ctx.dy(0)!, ctx.input(1)], attrs, 'dx'), null]
})
