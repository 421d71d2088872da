import fs from 'node:fs'
import path from 'node:path'
import type { DemoStage, DemoStatus, DemoSummary } from '../api/demo'
import { NashlabError } from '../api/errors'
import type { Engine } from '../engine/engine'
import type { EventBus } from '../engine/events'
import type { Handlers, Service } from '../engine/handlers'
import { writeFileAtomic } from '../jobs/atomic'
import { demoStages, runDemo } from './pipeline'
import type { DemoReport } from './report-data'
import type { DemoMode, DemoSizes } from './sizes'

export interface DemoServiceDeps {
  events: EventBus
  dataDir: string
  database: string
}

/** Where the newest report is recorded: <data folder>/demo/latest.json → { out }. */
function latestFile(dataDir: string): string {
  return path.join(dataDir, 'demo', 'latest.json')
}

/** The report's headline numbers for the Demo view. */
export function demoSummary(report: DemoReport): DemoSummary {
  return {
    mode: report.mode,
    seconds: report.seconds,
    findings: report.findings,
    policies: report.policies.map((p) => ({ label: p.label, model: p.model.name, shares: { ...p.shares } })),
    tournaments: { oracle: report.tournaments.oracle.id, preference: report.tournaments.preference.id },
  }
}

/**
 * The demo as a service: `demo.run` starts the pipeline (native/demo/pipeline.ts) in the background
 * of the engine, `demo.status` tells its stages and the newest report, `demo.cancel` stops it; each
 * change is pushed as `demo.changed`. One demo runs at a time. The newest report's folder is kept in
 * <data folder>/demo/latest.json, so a restarted workbench (or a CLI run) still shows it.
 */
export class DemoService implements Service {
  readonly handlers: Partial<Handlers>
  private engine: Engine | null = null
  private status: DemoStatus
  private controller: AbortController | null = null
  private running: Promise<DemoStatus> | null = null

  constructor(private readonly deps: DemoServiceDeps) {
    this.status = { state: 'idle', mode: null, stages: demoStages(), startedAt: null, finishedAt: null, error: null, out: null, report: false, summary: null }
    this.loadLatest()
    this.handlers = {
      'demo.run': ({ mode, out }) => this.start(mode, out),
      'demo.status': () => this.snapshot(),
      'demo.report': () => {
        const folder = this.reportFolder()
        return { html: folder ? fs.readFileSync(path.join(folder, 'report.html'), 'utf8') : null, out: folder }
      },
      'demo.cancel': () => this.cancel(),
    }
  }

  /** The engine whose methods the pipeline calls (set by the engine once every service exists). */
  attach(engine: Engine): void {
    this.engine = engine
  }

  /** Resolves with the status once the running demo has ended (at once when none runs). */
  finished(): Promise<DemoStatus> {
    return this.running ?? Promise.resolve(this.snapshot())
  }

  /** The newest report's folder, when its report.html exists. */
  reportFolder(): string | null {
    return this.status.out && fs.existsSync(path.join(this.status.out, 'report.html')) ? this.status.out : null
  }

  private loadLatest(): void {
    try {
      const { out } = JSON.parse(fs.readFileSync(latestFile(this.deps.dataDir), 'utf8')) as { out: string }
      const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as DemoReport
      this.status = { ...this.status, state: 'completed', mode: report.mode, out, report: fs.existsSync(path.join(out, 'report.html')), summary: demoSummary(report), finishedAt: report.createdAt }
      this.status.stages = this.status.stages.map((s) => ({ ...s, status: 'done', seconds: report.stages.find((x) => x.id === s.id)?.seconds ?? null }))
    } catch {
      // No demo has finished on this data folder yet.
    }
  }

  private snapshot(): DemoStatus {
    return { ...this.status, stages: this.status.stages.map((s) => ({ ...s })) }
  }

  private changed(): void {
    this.deps.events.emit('demo.changed', this.snapshot())
  }

  /** `sizes` overrides the mode's sizes (tests run a smaller config of the same code path). */
  start(mode: DemoMode, out?: string, sizes?: Partial<DemoSizes>): DemoStatus {
    if (!this.engine) throw new NashlabError('internal', 'The demo service is not attached to an engine.')
    if (this.running) throw new NashlabError('conflict', `A ${this.status.mode} demo is already running; wait for it or cancel it first.`)
    const folder = path.resolve(out ?? path.join(this.deps.dataDir, 'demo', mode))
    this.controller = new AbortController()
    this.status = { state: 'running', mode, stages: demoStages(), startedAt: new Date().toISOString(), finishedAt: null, error: null, out: this.status.out, report: this.status.report, summary: this.status.summary }
    const engine = this.engine
    this.running = runDemo(engine, {
      mode,
      out: folder,
      sizes,
      signal: this.controller.signal,
      onChange: (stages: DemoStage[]) => {
        this.status.stages = stages
        this.changed()
      },
    })
      .then((report) => {
        fs.mkdirSync(path.dirname(latestFile(this.deps.dataDir)), { recursive: true })
        writeFileAtomic(latestFile(this.deps.dataDir), JSON.stringify({ out: folder, mode, finishedAt: new Date().toISOString() }))
        this.status = { ...this.status, state: 'completed', out: folder, report: true, summary: demoSummary(report), finishedAt: new Date().toISOString() }
      })
      .catch((error: Error) => {
        const cancelled = error instanceof NashlabError && error.code === 'cancelled'
        this.status = { ...this.status, state: cancelled ? 'cancelled' : 'failed', error: cancelled ? null : error.message, finishedAt: new Date().toISOString() }
      })
      .then(() => {
        this.running = null
        this.controller = null
        this.changed()
        return this.snapshot()
      })
    this.changed()
    return this.snapshot()
  }

  async cancel(): Promise<DemoStatus> {
    if (!this.running || !this.controller) throw new NashlabError('conflict', 'No demo is running.')
    // The stage running cancels its own job, run or tournament (and nothing else of the user's).
    this.controller.abort()
    return this.finished()
  }

  async shutdown(): Promise<void> {
    if (this.running) await this.cancel()
  }
}
