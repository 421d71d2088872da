import { z } from 'zod'
import { method } from './define'

export type RunStatus = 'queued' | 'running' | 'paused' | 'cancelled' | 'failed' | 'completed'

export interface RunSummary {
  id: number
  algorithm: string
  status: RunStatus
  error: string | null
  createdAt: string
  updatedAt: string
  /** Last step with a logged metric (null before the first). */
  lastStep: number | null
  /** Total steps planned, from the run's config (null when open-ended). */
  totalSteps: number | null
}

export interface CheckpointSummary {
  id: number
  run: number
  step: number
  path: string
  createdAt: string
}

export interface RunDetail extends RunSummary {
  /** The full resolved config, defaults included. */
  config: Record<string, unknown>
  checkpoints: CheckpointSummary[]
  /** Names of the metrics this run logged. */
  metricNames: string[]
}

/** One metric's values: parallel arrays of steps and values, in step order. */
export interface MetricSeries {
  name: string
  steps: number[]
  values: number[]
}

export const runId = z.number().int().positive()

export const runMethods = {
  'runs.list': method<RunSummary[]>()(z.object({}).strict(), 'Training runs, newest first'),
  'runs.show': method<RunDetail>()(z.object({ run: runId }).strict(), 'One run: config, checkpoints, metric names'),
  'runs.metrics': method<MetricSeries[]>()(
    z
      .object({
        run: runId,
        /** Only these metrics (all when omitted). */
        names: z.array(z.string().min(1)).max(100).optional(),
        /** Only steps after this one (for incremental refresh). */
        after: z.number().int().min(-1).default(-1),
      })
      .strict(),
    "A run's logged metrics as series",
  ),
}
