import { gradient } from '../rule'

/** Y = |X|: dX = dY·sign(X). */
export const Abs = gradient((ctx) => [ctx.b.mul(ctx.dy(0)!, ctx.b.op('Sign', [ctx.input(0)], {}, 'sign'), 'dx')])
