import { gradient } from '../rule'

/**
 * Y = α·op(A)·op(B) + β·C, op = optional transpose. With A′ = op(A), B′ = op(B):
 * dA′ = α·dY·B′ᵀ, dB′ = α·A′ᵀ·dY, dC = β·dY; each written as one Gemm with transpose flags so no
 * transposed copy is made.
 */
export const Gemm = gradient((ctx) => {
  const b = ctx.b
  const A = ctx.input(0)
  const B = ctx.input(1)
  const dy = ctx.dy(0)!
  const ta = ctx.int('transA') === 1
  const tb = ctx.int('transB') === 1
  const alpha = ctx.float('alpha')
  const beta = ctx.float('beta')
  let da = null
  let db = null
  if (ctx.needs(0)) {
    da = ta
      ? b.gemm(B, dy, null, { transA: tb, transB: true, alpha }, 'da') // dA = α·B′·dYᵀ
      : b.gemm(dy, B, null, { transB: !tb, alpha }, 'da') // dA = α·dY·B′ᵀ
  }
  if (ctx.needs(1)) {
    db = tb
      ? b.gemm(dy, A, null, { transA: true, transB: ta, alpha }, 'db') // dB = α·dYᵀ·A′
      : b.gemm(A, dy, null, { transA: !ta, alpha }, 'db') // dB = α·A′ᵀ·dY
  }
  const dc = ctx.hasInput(2) && ctx.needs(2) ? (beta === 1 ? dy : b.mul(dy, b.scalarLike(beta, dy), 'dc')) : null
  return [da, db, dc]
})
