import { gradient } from '../rule'

/** Y = X with new size-1 axes: dX = dY reshaped back. */
export const Unsqueeze = gradient((ctx) => [ctx.b.reshapeLike(ctx.dy(0)!, ctx.input(0), 'dx'), null])
