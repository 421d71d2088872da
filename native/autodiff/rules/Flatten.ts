import { gradient } from '../rule'

/** Y = X flattened to 2-D: dX = dY reshaped back. */
export const Flatten = gradient((ctx) => [ctx.b.reshapeLike(ctx.dy(0)!, ctx.input(0), 'dx')])
