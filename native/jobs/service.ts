import type { EventBus } from '../engine/events'
import type { Handlers, Service } from '../engine/handlers'
import { JobManager } from './manager'

/** The engine's jobs: owns the JobManager other services start their work on, and `jobs.*`. */
export class JobService implements Service {
  readonly manager: JobManager
  readonly handlers: Partial<Handlers>

  constructor(deps: { events: EventBus }) {
    this.manager = new JobManager({ emit: (event, payload) => deps.events.emit(event, payload) })
    const manager = this.manager
    this.handlers = {
      'jobs.list': () => manager.list(),
      'jobs.cancel': ({ id }) => manager.cancel(id),
      'jobs.pause': ({ id }) => manager.pause(id),
      'jobs.resume': ({ id }) => manager.resume(id),
    }
  }

  /** Stop every job before the engine closes (workers are terminated after the grace time). */
  shutdown(): Promise<void> {
    return this.manager.shutdown()
  }
}
