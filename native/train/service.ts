import type { EventBus } from '../engine/events'
import type { Handlers, Service } from '../engine/handlers'
import type { Db } from '../store/db'
import { RunRepository } from '../store/runs'

/**
 * Training runs as the dashboard sees them. Trainers log through `logMetrics`, which stores the
 * step and pushes it to every front door as `runs.metrics`.
 */
export class RunService implements Service {
  readonly handlers: Partial<Handlers>
  readonly runs: RunRepository

  constructor(private readonly deps: { db: Db; events: EventBus }) {
    this.runs = new RunRepository(deps.db)
    this.handlers = {
      'runs.list': () => this.runs.list(),
      'runs.show': ({ run }) => this.runs.get(run),
      'runs.metrics': ({ run, names, after }) => {
        this.runs.get(run)
        return this.runs.metrics(run, names, after)
      },
    }
  }

  logMetrics(run: number, step: number, values: Record<string, number>): void {
    this.runs.logMetrics(run, step, values)
    this.deps.events.emit('runs.metrics', { run, step, values })
  }

  setStatus(run: number, status: Parameters<RunRepository['setStatus']>[1], error: string | null = null): void {
    this.runs.setStatus(run, status, error)
    this.deps.events.emit('runs.status', { run, status, error })
  }
}
