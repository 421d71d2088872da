import { gradient } from '../rule'

/** Y = −X: dX = −dY. */
export const Neg = gradient((ctx) => [ctx.b.neg(ctx.dy(0)!, 'dx')])
