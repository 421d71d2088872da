import { z } from 'zod'
import { method } from './define'
import { nashConfigSchema, type ConfigField, type NashAlgorithm } from './nashmd'

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

/** A sample completion of a held-out prompt, drawn by the run's policy at a step. */
export interface RunSample {
  step: number
  prompt: string
  completion: string
  createdAt: string
}

/** The run form: every config field with its default, range and one-line help, and the algorithms. */
export interface RunOptions {
  fields: ConfigField[]
  algorithms: { name: NashAlgorithm; summary: string }[]
}

export const runId = z.number().int().positive()
const oneRun = z.object({ run: runId }).strict()

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
  'runs.start': method<RunSummary>()(nashConfigSchema, 'Start a Nash-MD-PG-family run (nash-md-pg, self-play, best-response, nash-ema-pg, rlhf) as a background job'),
  'runs.pause': method<RunSummary>()(oneRun, 'Pause a running run at its next step'),
  'runs.resume': method<RunSummary>()(oneRun, 'Resume a paused run, or continue a cancelled, failed or interrupted one from its last checkpoint'),
  'runs.cancel': method<RunSummary>()(oneRun, 'Stop a run at its next step, after a checkpoint (it can be resumed)'),
  'runs.options': method<RunOptions>()(z.object({}).strict(), 'The fields of a Nash-MD-PG run: defaults, ranges and one-line help'),
  'runs.samples': method<RunSample[]>()(
    z.object({ run: runId, after: z.number().int().min(-1).default(-1) }).strict(),
    "A run's sample completions of held-out prompts, by step",
  ),
}
