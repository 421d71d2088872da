/**
 * The entry of a job worker (loaded by worker-bootstrap.mjs): imports the job script, runs its
 * definition with the input and a context, and posts exactly one outcome. Anything the job throws
 * becomes a `failed` outcome with the error's shape; a throw after a cancel was asked is `cancelled`.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { NashlabError, toErrorShape, type ErrorShape } from '../api/errors'
import type { JobDefinition } from './define'
import type { MainMessage, WorkerMessage, WorkerStart } from './protocol'
import { WorkerJobContext } from './worker-context'

const start = workerData as WorkerStart
const port = parentPort!
const post = (message: WorkerMessage) => port.postMessage(message)
const ctx = new WorkerJobContext(start.control, post, start.progressIntervalMs)
port.on('message', (message: MainMessage) => {
  if (message.type === 'cancel') ctx.abort()
})

try {
  const module = (await import(start.script)) as { default?: JobDefinition<unknown, unknown> }
  const definition = module.default
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

/** Send a failure; details that cannot cross threads (functions, handles) are dropped. */
function postFailure(error: ErrorShape): void {
  try {
    post({ type: 'failed', error })
  } catch {
    post({ type: 'failed', error: { code: error.code, message: error.message } })
  }
}

// The port would keep this thread alive; the outcome is sent, so stop listening.
port.unref()
