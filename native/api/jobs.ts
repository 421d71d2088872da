import { z } from 'zod'
import { method } from './define'
import type { ErrorShape } from './errors'
import type { JobProgress } from './events'

/**
 * queued → running ⇄ paused → completed | failed | cancelled. A job is paused once its worker reaches
 * its next step boundary; `paused` is shown from the moment it is asked for.
 */
export type JobStatus = 'queued' | 'running' | 'paused' | 'cancelled' | 'failed' | 'completed'
export const finishedStatuses: readonly JobStatus[] = ['cancelled', 'failed', 'completed']

export interface JobSummary {
  id: string
  /** What the job does, e.g. `train.nash-md-pg`, `runtime.bench`. */
  kind: string
  /** A line for lists, e.g. the run's name. */
  label: string
  status: JobStatus
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
  /** The latest progress the worker reported, null before the first. */
  progress: JobProgress | null
  /** Things the user should see that did not stop the job (e.g. "CUDA is not usable here; running on CPU"). */
  warnings: string[]
  /** Why the job failed (or `cancelled`), null otherwise. */
  error: ErrorShape | null
}

const jobId = z.string().min(1, 'a job id is needed')

export const jobMethods = {
  'jobs.list': method<JobSummary[]>()(z.object({}).strict(), 'Jobs of this engine, newest first'),
  'jobs.cancel': method<JobSummary>()(z.object({ id: jobId }).strict(), 'Cancel a queued, running or paused job'),
  'jobs.pause': method<JobSummary>()(z.object({ id: jobId }).strict(), 'Pause a running job at its next step'),
  'jobs.resume': method<JobSummary>()(z.object({ id: jobId }).strict(), 'Resume a paused job'),
}
