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
  // Nine passes over X's shape. With s = X/√2: Φ = ½ + ½·erf(s) is one HardSigmoid (α = β = ½;
  // erf ∈ [−1, 1], so its clamp to [0, 1] never acts), and X·e^(−s²) = X / e^(s²) is one Div
  // (e^(s²) overflows to +∞ where the density is 0 in float32 anyway, and X/∞ = 0), so the
  // exponent needs no negation pass.
  const s = b.mul(x, c(Math.SQRT1_2), 's')
  const cdf = b.op('HardSigmoid', [b.erf(s, 'erf')], { alpha: 0.5, beta: 0.5 }, 'cdf')
  const damped = b.div(x, b.exp(b.mul(s, s, 's2'), 'growth'), 'damped')
  const slope = b.add(cdf, b.mul(damped, c(1 / Math.sqrt(2 * Math.PI)), 'x_pdf'), 'slope')
  return [b.mul(dy, slope, 'dx')]
})
