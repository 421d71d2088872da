/**
 * The entry of a job worker running from source (loaded by worker-bootstrap.mjs, which registered
 * tsx): the job script is imported by its URL, a TypeScript file.
 */
import type { WorkerStart } from './protocol'
import { runJobWorker, type JobModule } from './worker-run'

await runJobWorker((start: WorkerStart) => import(start.script) as Promise<JobModule>)
