import { gradient } from '../rule'

/** Y = X without size-1 axes: dX = dY reshaped back. */
export const Squeeze = gradient((ctx) => [ctx.b.reshapeLike(ctx.dy(0)!, ctx.input(0), 'dx'), null])
