import { z } from 'zod'
import { method } from './define'

/**
 * The embedded demo (native/demo/pipeline.ts): SFT → comparisons from the rater population →
 * preference and reward models → the Nash-MD-PG family and RLHF → tournaments → report. It runs in
 * the engine, one job after another (each visible in jobs), and its stages are pushed as
 * `demo.changed`. The report it writes is served at `/demo/report.html` (token-protected).
 */
export type DemoStageStatus = 'pending' | 'running' | 'done' | 'failed'

export interface DemoStage {
  id: string
  label: string
  status: DemoStageStatus
  /** The stage's latest progress (its job's, or its own count). */
  progress: { done: number; total: number | null; unit: string; etaSeconds: number | null; message: string | null } | null
  /** Seconds the stage took (set when it ends). */
  seconds: number | null
  /** One line about what it made (model names, counts, the error). */
  detail: string | null
}

export interface DemoStatus {
  /** idle: never run in this engine and no report on disk; running; completed; failed; cancelled. */
  state: 'idle' | 'running' | 'completed' | 'failed' | 'cancelled'
  mode: 'quick' | 'full' | null
  stages: DemoStage[]
  startedAt: string | null
  finishedAt: string | null
  error: string | null
  /** The folder of the newest report (report.html, report.json, onnx/), when there is one. */
  out: string | null
  /** Whether report.html exists in it. */
  report: boolean
  /** Headline numbers of the newest report (null before one exists). */
  summary: DemoSummary | null
}

export interface DemoSummary {
  mode: 'quick' | 'full'
  seconds: number
  findings: string[]
  /** Each policy's label and option shares. */
  policies: { label: string; model: string; shares: Record<string, number> }[]
  tournaments: { oracle: number; preference: number }
}

export const demoMethods = {
  'demo.run': method<DemoStatus>()(
    z
      .object({
        /** quick: a smaller run (about two minutes on two cores); full: the whole demo (about fifteen). */
        mode: z.enum(['quick', 'full']).default('quick'),
        /** Folder for the report and the ONNX exports; default <data folder>/demo/<mode>. */
        out: z.string().min(1).optional(),
      })
      .strict(),
    'Run the embedded demo end to end in the background: SFT, comparisons, preference and reward models, the Nash-MD-PG family and RLHF, tournaments, report',
  ),
  'demo.status': method<DemoStatus>()(z.object({}).strict(), "The demo's stages, progress and newest report"),
  'demo.report': method<{ html: string | null; out: string | null }>()(z.object({}).strict(), "The newest demo report's self-contained HTML (null before one exists) and its folder"),
  'demo.cancel': method<DemoStatus>()(z.object({}).strict(), 'Stop a running demo (the stage running is cancelled; what finished stays)'),
}
