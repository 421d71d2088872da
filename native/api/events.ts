import type { CompareTokenEvent } from './compare'
import type { DemoStatus } from './demo'
import type { GenerateTokenEvent } from './generate'
import type { JobSummary } from './jobs'
import type { TournamentSummary } from './tournaments'

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
  /** Units per second of running time (pauses excluded) since the job (re)started; null until known. */
  rate: number | null
  /** Seconds left at that rate; null while the rate or the total is unknown. */
  etaSeconds: number | null
  /** Seconds the job has been running, pauses excluded. */
  elapsedSeconds: number
  message?: string
}

/** Metrics of one training step, pushed as they are logged. */
export interface RunMetricsEvent {
  run: number
  step: number
  values: Record<string, number>
}

export interface Events {
  /** Throttled at the source: at most one every ~100 ms per job, plus the last one. */
  'jobs.progress': JobProgress
  /** A job changed status or gained a warning. */
  'jobs.changed': JobSummary
  'datasets.changed': { name: string }
  'runs.metrics': RunMetricsEvent
  'runs.status': { run: number; status: string; error?: string | null }
  /** Sample completions a run drew at a step (shown beside its charts). */
  'runs.samples': { run: number; step: number; samples: { prompt: string; completion: string }[] }
  /** A model was created, imported, trained, or deleted. */
  'models.changed': { id: number; name: string }
  /** One new token of a generation request that asked for streaming. */
  'generate.tokens': GenerateTokenEvent
  /** Text added to one response of a running comparison. */
  'compare.tokens': CompareTokenEvent
  /** A tournament was created, changed status, or finished. */
  'tournaments.changed': TournamentSummary
  /** The demo started, moved on a stage, or ended. */
  'demo.changed': DemoStatus
}

export type EventName = keyof Events
