import { gradient } from '../rule'

/** Y = condition ? X : Y′: dX = dY where the condition holds, dY′ = dY elsewhere. */
export const Where = gradient((ctx) => {
  const b = ctx.b
  const c = ctx.input(0)
  const dy = ctx.dy(0)!
  const zero = b.scalarLike(0, dy)
  return [null, ctx.needs(1) ? b.where(c, dy, zero, 'dx') : null, ctx.needs(2) ? b.where(c, zero, dy, 'dy') : null]
})
