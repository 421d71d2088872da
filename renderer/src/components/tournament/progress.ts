import type { JobProgress } from '../../../../native/api/contract'

/** "1 240 / 3 000 items · ETA 42 s" for a job's progress. */
export function formatEta(p: JobProgress): string {
  const count = p.total !== null ? `${p.done} / ${p.total} ${p.unit}` : `${p.done} ${p.unit}`
  if (p.etaSeconds === null || (p.total !== null && p.done >= p.total)) return count
  const s = p.etaSeconds
  const eta = s < 60 ? `${Math.round(s)} s` : s < 3600 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
  return `${count} · ETA ${eta}`
}
