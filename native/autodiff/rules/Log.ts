import { gradient } from '../rule'

/** Y = ln X: dX = dY / X. */
export const Log = gradient((ctx) => [ctx.b.div(ctx.dy(0)!, ctx.input(0), 'dx')])
