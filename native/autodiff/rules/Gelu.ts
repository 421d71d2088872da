import { gradient } from '../rule'

/**
 * Gelu (opset 20). Exact form Y = X·Φ(X): dX = dY·(Φ(X) + X·φ(X)), Φ(x) = ½(1 + erf(x/√2)),
 * φ(x) = e^(−x²/2)/√(2π). Tanh form Y = ½X(1 + tanh u), u = √(2/π)(X + 0.044715X³):
 * dX = dY·(½(1 + tanh u) + ½X(1 − tanh² u)·√(2/π)(1 + 3·0.044715X²)).
 */
export const Gelu = gradient((ctx) => {
  const b = ctx.b
  const x = ctx.input(0)
  const dy = ctx.dy(0)!
  const c = (v: number) => b.scalarLike(v, x)
  if (ctx.string('approximate') === 'tanh') {
    const k = Math.sqrt(2 / Math.PI)
    const x2 = b.mul(x, x, 'x2')
    const u = b.mul(b.mul(x, b.add(c(1), b.mul(x2, c(0.044715), 'cubic'), 'inner'), 'poly'), c(k), 'u')
    const t = b.tanh(u, 'tanh_u')
    const left = b.mul(b.add(c(1), t, 'one_plus_t'), c(0.5), 'left')
    const sech2 = b.sub(c(1), b.mul(t, t, 't2'), 'sech2')
    const du = b.mul(b.add(c(1), b.mul(x2, c(3 * 0.044715), 'du_cubic'), 'du_inner'), c(k), 'du')
    const right = b.mul(b.mul(b.mul(x, c(0.5), 'half_x'), sech2, 'half_x_sech2'), du, 'right')
    return [b.mul(dy, b.add(left, right, 'slope'), 'dx')]
  }
  // With s = X/√2: Φ(X) + X·φ(X) = ½·(1 + erf(s) + s·(2/√π)·e^(−s²)); the constant goes into the
  // exponent, (2/√π)·e^(−s²) = e^(ln(2/√π) − s²), to save a pass.
  const s = b.mul(x, c(Math.SQRT1_2), 's')
  const bell = b.exp(b.sub(c(Math.log(2 / Math.sqrt(Math.PI))), b.mul(s, s, 's2'), 'exponent'), 'bell')
  const sum = b.add(b.erf(s, 'erf'), b.mul(s, bell, 'density'), 'sum')
  return [b.mul(b.mul(dy, c(0.5), 'half_dy'), b.add(sum, c(1), 'twice_slope'), 'dx')]
})
