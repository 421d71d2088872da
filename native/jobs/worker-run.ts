/**
 * The body of every job worker: load the job's module, run its definition with the input and a
 * context, and post exactly one outcome. Anything the job throws becomes a `failed` outcome with
 * the error's shape; a throw after a cancel was asked is `cancelled`. How the module is loaded is
 * the entry's business: from source through tsx (worker-main.ts) or from the engine's build
 * (native/engine/job-worker.ts, which knows every job by kind).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { NashlabError, toErrorShape, type ErrorShape } from '../api/errors'
import type { JobDefinition } from './define'
import type { MainMessage, WorkerMessage, WorkerStart } from './protocol'
import { WorkerJobContext } from './worker-context'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JobModule = { default?: JobDefinition<any, unknown> }

export async function runJobWorker(load: (start: WorkerStart) => Promise<JobModule>): Promise<void> {
  const start = workerData as WorkerStart
  const port = parentPort!
  const post = (message: WorkerMessage) => port.postMessage(message)
  const ctx = new WorkerJobContext(start.control, post, start.progressIntervalMs)
  port.on('message', (message: MainMessage) => {
    if (message.type === 'cancel') ctx.abort()
  })

  /** Send a failure; details that cannot cross threads (functions, handles) are dropped. */
  const postFailure = (error: ErrorShape) => {
    try {
      post({ type: 'failed', error })
    } catch {
      post({ type: 'failed', error: { code: error.code, message: error.message } })
    }
  }

  try {
    const definition = (await load(start)).default
    if (typeof definition?.run !== 'function') {
      throw new NashlabError('internal', `The job script ${start.script} has no default export made with defineJob().`, { script: start.script })
    }
    ctx.check()
    const result = await definition.run(start.input, ctx)
    ctx.flush()
    try {
      post({ type: 'completed', result })
    } catch (error) {
      throw new NashlabError('internal', `The job finished but its result could not be sent to the engine: ${(error as Error).message}`)
    }
  } catch (error) {
    ctx.flush()
    if (ctx.cancelRequested) post({ type: 'cancelled' })
    else postFailure(toErrorShape(error))
  }

  // The port would keep this thread alive; the outcome is sent, so stop listening.
  port.unref()
}
