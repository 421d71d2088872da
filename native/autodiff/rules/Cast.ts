import { isFloat } from '../../onnx/dtype'
import { gradient } from '../rule'

/** Y = cast(X): between float types dX = cast(dY) back; from or to an integer type no gradient flows. */
export const Cast = gradient((ctx) => {
  const x = ctx.input(0)
  const dy = ctx.dy(0)
  if (!dy || !isFloat(x.dtype) || !isFloat(ctx.output(0).dtype)) return [null]
  return [ctx.b.cast(dy, x.dtype, 'dx')]
})
