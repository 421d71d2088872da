/**
 * Pushed events: name → payload. Every front door forwards every event to its subscribers
 * (Electron windows, WebSocket clients, CLI progress printers).
 */
export interface JobProgress {
  job: string
  kind: string
  /** Work done and total, in the job's own unit (rows, steps, iterations). */
  done: number
  total: number | null
  unit: string
  /** Seconds left, estimated from the rate so far; null until there is a rate. */
  etaSeconds: number | null
  message?: string
}

/** Metrics of one training step, pushed as they are logged. */
export interface RunMetricsEvent {
  run: number
  step: number
  values: Record<string, number>
}

export interface Events {
  'jobs.progress': JobProgress
  'datasets.changed': { name: string }
  'runs.metrics': RunMetricsEvent
  'runs.status': { run: number; status: string; error?: string | null }
}

export type EventName = keyof Events
