import type { ErrorShape } from '../api/errors'
import type { JobProgress } from '../api/events'
import type { ControlWord } from './control'

/** What a job worker receives as workerData. */
export interface WorkerStart {
  /** The job's kind: how the built worker (native/engine/job-worker.ts) finds its bundled code. */
  kind: string
  /** URL of the job script (a module whose default export is a `defineJob(...)`). */
  script: string
  input: unknown
  control: ControlWord
  /** Least milliseconds between two progress messages. */
  progressIntervalMs: number
}

/** The worker's progress report; the runner adds the job's id and kind. */
export type WorkerProgress = Omit<JobProgress, 'job' | 'kind'>

/** Worker → main thread. Exactly one of completed / failed / cancelled ends a job. */
export type WorkerMessage =
  | { type: 'progress'; progress: WorkerProgress }
  | { type: 'warning'; message: string }
  | { type: 'data'; data: unknown }
  | { type: 'completed'; result: unknown }
  | { type: 'failed'; error: ErrorShape }
  | { type: 'cancelled' }

/** Main thread → worker (the control word carries pause and cancel; this wakes async waits). */
export type MainMessage = { type: 'cancel' }
