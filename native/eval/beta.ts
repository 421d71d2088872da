/**
 * The regularised incomplete beta function I_x(a, b) and its inverse — what Clopper–Pearson
 * intervals need. Continued fraction by the modified Lentz method (Numerical Recipes §6.4),
 * log-gamma by Lanczos (g = 7, n = 9), inverse by safeguarded bisection–Newton on x.
 */

const lanczos = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
]

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x)
  x -= 1
  let sum = lanczos[0]
  for (let i = 1; i < 9; i++) sum += lanczos[i] / (x + i)
  const t = x + 7.5
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(sum)
}

function continuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300
  let c = 1
  let d = 1 - ((a + b) * x) / (a + 1)
  if (Math.abs(d) < tiny) d = tiny
  d = 1 / d
  let h = d
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2))
    d = 1 + aa * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + aa / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    h *= d * c
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))
    d = 1 + aa * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + aa / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const delta = d * c
    h *= delta
    if (Math.abs(delta - 1) < 1e-15) break
  }
  return h
}

/** I_x(a, b) = P(X ≤ x) for X ~ Beta(a, b); a, b > 0. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x))
  // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise.
  return x < (a + 1) / (a + b + 2) ? (front * continuedFraction(x, a, b)) / a : 1 - (front * continuedFraction(1 - x, b, a)) / b
}

/** The p-quantile of Beta(a, b): x with I_x(a, b) = p, to ~1e-14. */
export function betaQuantile(p: number, a: number, b: number): number {
  if (p <= 0) return 0
  if (p >= 1) return 1
  let lo = 0
  let hi = 1
  let x = a / (a + b)
  for (let i = 0; i < 200; i++) {
    const f = incompleteBeta(x, a, b) - p
    if (Math.abs(f) < 1e-15) break
    if (f > 0) hi = x
    else lo = x
    // Newton step with the beta density; fall back to bisection when it leaves the bracket.
    const density = Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log(1 - x) + logGamma(a + b) - logGamma(a) - logGamma(b))
    let next = x - f / density
    if (!(next > lo && next < hi) || !Number.isFinite(next)) next = (lo + hi) / 2
    if (Math.abs(next - x) < 1e-16) break
    x = next
  }
  return x
}

/**
 * Clopper–Pearson ("exact") interval for a binomial proportion with k successes of n, at
 * confidence 1 − alpha. Fractional k (ties counted as half a win) is accepted: the beta
 * quantiles are defined for any positive parameters.
 */
export function clopperPearson(k: number, n: number, alpha = 0.05): [number, number] {
  if (n <= 0) return [0, 1]
  const low = k <= 0 ? 0 : betaQuantile(alpha / 2, k, n - k + 1)
  const high = k >= n ? 1 : betaQuantile(1 - alpha / 2, k + 1, n - k)
  return [low, high]
}
