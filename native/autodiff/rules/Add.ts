import { gradient } from '../rule'

/** Y = A + B: dA = dY, dB = dY (broadcast reduced centrally). */
export const Add = gradient((ctx) => {
  const dy = ctx.dy(0)!
  return [dy, dy]
})
