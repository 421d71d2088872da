import { gradient } from '../rule'

/** Y = X reshaped: dX = dY reshaped back to X's shape. */
export const Reshape = gradient((ctx) => [ctx.b.reshapeLike(ctx.dy(0)!, ctx.input(0), 'dx'), null])
