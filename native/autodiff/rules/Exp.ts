import { gradient } from '../rule'

/** Y = eˣ: dX = dY·Y. */
export const Exp = gradient((ctx) => [ctx.b.mul(ctx.dy(0)!, ctx.output(0), 'dx')])
