import type { Handlers, Service } from '../engine/handlers'
import type { JobManager } from './manager'

/** `jobs.*` over the engine's JobManager (which the engine creates first, for every service to use). */
export class JobService implements Service {
  readonly handlers: Partial<Handlers>

  constructor(private readonly deps: { jobs: JobManager }) {
    const manager = deps.jobs
    this.handlers = {
      'jobs.list': () => manager.list(),
      'jobs.cancel': ({ id }) => manager.cancel(id),
      'jobs.pause': ({ id }) => manager.pause(id),
      'jobs.resume': ({ id }) => manager.resume(id),
    }
  }

  /** Stop every job before the engine closes (workers are terminated after the grace time). */
  shutdown(): Promise<void> {
    return this.deps.jobs.shutdown()
  }
}
