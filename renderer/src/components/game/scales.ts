/** Small helpers the game lab's SVG plots share: scales, decade ticks, number formats, colours. */

/** One colour per action (Tableau 10), so a colour means the same action in every plot. */
export const actionColours = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac']

export const colours = {
  iterate: '#3557d6',
  equilibrium: '#d1495b',
  bound: '#6b7280',
  reference: '#9ca3af',
}

const superscript: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' }

/** 10^k written as 10⁻³ (1 and 10 for k = 0, 1). */
export function powerOfTen(k: number): string {
  if (k === 0) return '1'
  if (k === 1) return '10'
  return '10' + String(k).split('').map((c) => superscript[c] ?? c).join('')
}

/** A linear map from [d0, d1] to [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0 || 1
  return (v) => r0 + ((v - d0) / span) * (r1 - r0)
}

/** Whole decades [lo, hi] covering the positive finite values, at most `maxDecades` apart. */
export function decadeRange(values: Iterable<number>, maxDecades: number): [number, number] | null {
  let min = Infinity
  let max = -Infinity
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue
    if (v < min) min = v
    if (v > max) max = v
  }
  if (max === -Infinity) return null
  const hi = Math.ceil(Math.log10(max) - 1e-9)
  let lo = Math.floor(Math.log10(min) + 1e-9)
  if (lo === hi) lo = hi - 1
  return [Math.max(lo, hi - maxDecades), hi]
}

/** Decade ticks from lo to hi, thinned to at most `most` labels. */
export function decadeTicks(lo: number, hi: number, most = 7): number[] {
  const step = Math.max(1, Math.ceil((hi - lo) / (most - 1)))
  const ticks: number[] = []
  for (let k = hi; k >= lo; k -= step) ticks.unshift(k)
  return ticks
}

/** A number for a label: 3 significant digits, exponent form when very small or large. */
export function formatNumber(v: number): string {
  if (v === 0) return '0'
  if (!Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  if (a < 1e-3 || a >= 1e5) {
    const [m, e] = v.toExponential(2).split('e')
    return `${m}·${powerOfTen(Number(e))}`
  }
  return String(Number(v.toPrecision(3)))
}

/** Iteration counts with thin spaces: 100 000. */
export function formatCount(v: number): string {
  return String(v).replace(/\B(?=(\d{3})+(?!\d))/g, ' ')
}
