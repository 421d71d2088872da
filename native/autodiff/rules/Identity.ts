import { gradient } from '../rule'

/** Y = X: dX = dY. */
export const Identity = gradient((ctx) => [ctx.dy(0)])
