import { gradient } from '../rule'

/** Y = Σᵢ Xᵢ (variadic, broadcasting): dXᵢ = dY. */
export const Sum = gradient((ctx) => ctx.node.inputs.map(() => ctx.dy(0)))
