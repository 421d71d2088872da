import type { Value } from '../../onnx/builder'
import { knownNumel } from '../../onnx/infer/context'
import { transposeLast2 } from '../helpers'
import { gradient } from '../rule'

/** Whether `a` has statically fewer elements than `b`. */
function smaller(a: Value, b: Value): boolean {
  const na = knownNumel(a.shape)
  const nb = knownNumel(b.shape)
  return na !== undefined && nb !== undefined && na < nb
}

/**
 * Y = A·B (numpy matmul: batched, broadcast batch dims, 1-D operands promoted then dropped).
 * dA = dY·Bᵀ, dB = Aᵀ·dY on the last two axes; batch broadcasting is reduced centrally.
 * For the common X (…, K) · W (K, N) the weight gradient is one 2-D product of the flattened rows,
 * Gemm(X₂ᵀ, dY₂), instead of a batched product followed by a sum. A batched dB with dY smaller
 * than A (attention's probabilities × values) is (dYᵀ·A)ᵀ: the small dY is transposed instead of
 * A (ONNX Runtime's transA form of Aᵀ·dY is about twice as slow there), and the outer transpose
 * merges with whatever transpose follows.
 */
export const MatMul = gradient((ctx) => {
  const b = ctx.b
  const A = ctx.input(0)
  const B = ctx.input(1)
  let dy = ctx.dy(0)!
  if (A.shape.length === 1 && B.shape.length === 1) {
    return [ctx.needs(0) ? b.mul(dy, B, 'da') : null, ctx.needs(1) ? b.mul(dy, A, 'db') : null]
  }
  const a = A.shape.length === 1 ? b.unsqueeze(A, [0], 'a_row') : A
  const w = B.shape.length === 1 ? b.unsqueeze(B, [1], 'b_col') : B
  if (A.shape.length === 1) dy = b.unsqueeze(dy, [dy.shape.length - 1], 'dy_row')
  if (B.shape.length === 1) dy = b.unsqueeze(dy, [dy.shape.length], 'dy_col')
  let da = null
  let db = null
  if (ctx.needs(0)) {
    da = b.matMul(dy, transposeLast2(b, w, 'bt'), 'da')
    if (A.shape.length === 1) da = b.squeeze(da, [da.shape.length - 2], 'da_vec')
  }
  if (ctx.needs(1)) {
    const k = a.shape[a.shape.length - 1]
    const n = w.shape[w.shape.length - 1]
    if (w.shape.length === 2 && a.shape.length > 2 && typeof k === 'number' && typeof n === 'number') {
      const rows = b.reshape(a, [-1, k], 'a_rows')
      const dRows = b.reshape(dy, [-1, n], 'dy_rows')
      db = b.gemm(rows, dRows, null, { transA: true }, 'db')
    } else if (a.shape.length >= 3 && smaller(dy, a)) {
      db = transposeLast2(b, b.matMul(transposeLast2(b, dy, 'dyt'), a, 'dbt'), 'db')
    } else db = b.matMul(transposeLast2(b, a, 'at'), dy, 'db')
    if (B.shape.length === 1) db = b.squeeze(db, [db.shape.length - 1], 'db_vec')
  }
  return [da, db]
})
