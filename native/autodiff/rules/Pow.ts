import { knownNumbers } from '../../onnx/infer/context'
import { gradient } from '../rule'

/**
 * Y = A^B. dA = dY·B·A^(B−1) (written as 2·A for B = 2, as 0.5/Y for B = 0.5); dB = dY·Y·ln A,
 * which only a trained exponent needs (the usual case is a constant exponent).
 */
export const Pow = gradient((ctx) => {
  const b = ctx.b
  const dy = ctx.dy(0)!
  const A = ctx.input(0)
  const B = b.cast(ctx.input(1), A.dtype, 'exponent')
  let da = null
  if (ctx.needs(0)) {
    const e = knownNumbers(ctx.input(1))
    const constant = e && e.every((v) => v === e[0]) ? e[0] : undefined
    if (constant === 2) da = b.mul(dy, b.mul(A, b.scalarLike(2, A), 'two_a'), 'da')
    else if (constant === 1) da = dy
    else if (constant === 0.5) da = b.div(b.mul(dy, b.scalarLike(0.5, A), 'half_dy'), ctx.output(0), 'da')
    else if (constant !== undefined) da = b.mul(dy, b.mul(b.pow(A, b.scalarLike(constant - 1, A), 'a_pow'), b.scalarLike(constant, A), 'slope'), 'da')
    else da = b.mul(dy, b.mul(B, b.pow(A, b.sub(B, b.scalarLike(1, A), 'b_minus_1'), 'a_pow'), 'slope'), 'da')
  }
  const db = ctx.needs(1) ? b.mul(dy, b.mul(ctx.output(0), b.log(A, 'log_a'), 'y_log_a'), 'db') : null
  return [da, db]
})
