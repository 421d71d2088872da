import type { TournamentResult } from '../../../../native/api/contract'

/** One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
function field(v: string | number): string {
  const s = String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/**
 * The matrix as CSV: a header of column players, then one line per row player with
 * P(column ≻ row); below it, the same layout for the interval bounds and the judged pairs.
 */
export function matrixCsv(r: TournamentResult): string {
  const block = (title: string, values: number[][]) => [
    [title, ...r.players].map(field).join(','),
    ...values.map((row, i) => [r.players[i], ...row.map((v) => (Number.isInteger(v) ? String(v) : v.toFixed(6)))].map(field).join(',')),
  ]
  return [
    ...block('P(column > row)', r.matrix),
    '',
    ...block('95% low', r.ci_low),
    '',
    ...block('95% high', r.ci_high),
    '',
    ...block('judged pairs', r.n),
  ].join('\r\n') + '\r\n'
}

/** A standalone SVG file from an SVG element drawn with presentation attributes. */
export function svgFile(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg')
  copy.querySelectorAll('[data-export="skip"]').forEach((el) => el.remove())
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}`
}

/** Rasterise an SVG file at `scale` × its own size (PNG bytes). */
export async function svgToPng(svgText: string, width: number, height: number, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }))
  try {
    const image = new Image()
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve()
      image.onerror = () => reject(new Error('The matrix could not be drawn as an image.'))
      image.src = url
    })
    const canvas = document.createElement('canvas')
    canvas.width = Math.round(width * scale)
    canvas.height = Math.round(height * scale)
    const context = canvas.getContext('2d')!
    context.fillStyle = '#ffffff'
    context.fillRect(0, 0, canvas.width, canvas.height)
    context.drawImage(image, 0, 0, canvas.width, canvas.height)
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The PNG could not be encoded.'))), 'image/png'))
  } finally {
    URL.revokeObjectURL(url)
  }
}

/** Offer bytes as a file download. */
export function download(name: string, data: Blob | string, type = 'text/plain'): void {
  const blob = typeof data === 'string' ? new Blob([data], { type }) : data
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

/** A file name from a tournament's name. */
export function fileStem(name: string): string {
  return name.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 80) || 'tournament'
}

/**
 * The heatmap's colour of P(column ≻ row): white at ½, blue towards 1 (the column player wins),
 * red towards 0 (the row player wins); mixed in sRGB.
 */
export function cellColour(p: number): string {
  const t = Math.min(1, Math.abs(p - 0.5) * 2)
  const to = p >= 0.5 ? [53, 87, 214] : [209, 73, 91]
  const mix = (c: number) => Math.round(248 + (c - 248) * t)
  return `rgb(${mix(to[0])}, ${mix(to[1])}, ${mix(to[2])})`
}

/** Dark text on light cells, white on saturated ones. */
export function textColour(p: number): string {
  return Math.abs(p - 0.5) > 0.3 ? '#ffffff' : '#1d1f23'
}
