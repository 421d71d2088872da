import { knownNumbers } from '../../onnx/infer/context'
import { gradient } from '../rule'

/**
 * Dropout: in inference mode it is the identity (dX = dY); in training mode Y = X·mask/(1 − ratio),
 * so dX = dY·mask/(1 − ratio), using the node's mask output. The mode and ratio must be constants.
 */
export const Dropout = gradient((ctx) => {
  const b = ctx.b
  const dy = ctx.dy(0)!
  const training = ctx.opset >= 12 ? (ctx.hasInput(2) ? knownNumbers(ctx.input(2)) ?? ctx.fail('needs a constant training_mode.') : [0])[0] : 0
  if (!training) return [dy, null, null]
  const ratio = ctx.hasInput(1) ? (knownNumbers(ctx.input(1)) ?? ctx.fail('needs a constant ratio.'))[0] : 0.5
  const mask = b.cast(ctx.output(1), dy.dtype, 'mask')
  return [b.mul(b.mul(dy, mask, 'kept'), b.scalarLike(1 / (1 - ratio), dy), 'dx'), null, null]
})
