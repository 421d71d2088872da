import type { Handlers, Service } from '../engine/handlers'
import { jobScript } from '../jobs/define'
import type { JobManager } from '../jobs/manager'
import type benchDefinition from './bench-job'
import { listDevices } from './probe'

export const benchJob = jobScript<typeof benchDefinition>('devices.bench', new URL('./bench-job.ts', import.meta.url))

/** `devices.*`: the execution providers of this machine (probed once per process) and their speed. */
export class DeviceService implements Service {
  readonly handlers: Partial<Handlers>

  constructor(deps: { jobs: JobManager }) {
    this.handlers = {
      'devices.list': ({ refresh }) => listDevices({ refresh }),
      // Runs as a job: its progress is pushed as jobs.progress, and the caller going away cancels it.
      'devices.bench': (input, ctx) =>
        deps.jobs.start(benchJob, input, { label: `Benchmark on ${input.provider} (n = ${input.size})`, signal: ctx.signal }).result,
    }
  }
}
