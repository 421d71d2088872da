import { gradient } from '../rule'

/** Y = broadcast of X to a shape: dX = dY summed over the broadcast axes (done by the central walk). */
export const Expand = gradient((ctx) => [ctx.dy(0), null])
