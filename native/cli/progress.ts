import type { JobProgress } from '../api/contract'

/** A one-line progress bar with rate and ETA on stderr, redrawn at most every 100 ms. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): (p: JobProgress) => void {
  let last = 0
  return (p) => {
    const now = Date.now()
    const finished = p.total !== null && p.done >= p.total
    if (!finished && now - last < 100) return
    last = now
    const width = 30
    const fraction = p.total ? Math.min(1, p.done / p.total) : 0
    const bar = p.total ? '█'.repeat(Math.round(fraction * width)).padEnd(width, '░') : ''
    const count = p.total ? `${p.done}/${p.total} ${p.unit}` : `${p.done} ${p.unit}`
    const eta = p.etaSeconds !== null && !finished ? ` ETA ${formatSeconds(p.etaSeconds)}` : ''
    const text = `${p.kind} ${bar} ${count}${eta}${p.message ? ` ${p.message}` : ''}`
    if (stream.isTTY) stream.write(`\r${text.slice(0, (stream.columns ?? 100) - 1)}\x1b[K${finished ? '\n' : ''}`)
    else if (finished) stream.write(`${text}\n`)
  }
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}
