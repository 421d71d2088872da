import { Worker, type ResourceLimits } from 'node:worker_threads'
import type { ErrorShape } from '../api/errors'
import { NashlabError } from '../api/errors'
import { builtEntry } from '../runtime/typescript-child'
import { askCancel, askPause, askResume, newControlWord } from './control'
import type { JobScript } from './define'
import type { MainMessage, WorkerMessage, WorkerProgress, WorkerStart } from './protocol'

/** File name of the job worker electron-vite's main build emits beside the engine's bundle. */
export const BUILT_WORKER = 'job-worker.js'

/**
 * The worker entry for code loaded from `moduleUrl`: the built worker when it sits beside it (the
 * engine runs from electron-vite's output, where job scripts are bundled, not TypeScript files),
 * else the tsx bootstrap that loads job scripts from source.
 */
export function workerEntry(moduleUrl: URL | string): URL {
  return builtEntry(BUILT_WORKER, moduleUrl) ?? new URL('./worker-bootstrap.mjs', moduleUrl)
}

const defaultEntry = workerEntry(import.meta.url)

type WorkerJobStatus = 'running' | 'paused' | 'completed' | 'failed' | 'cancelled'

export interface WorkerJobOptions {
  onProgress?(progress: WorkerProgress): void
  onWarning?(message: string): void
  /** Each item the job sent with `ctx.send`, in order. */
  onData?(data: unknown): void
  /** Called once, when the job ends (completed, failed or cancelled). */
  onEnd?(status: 'completed' | 'failed' | 'cancelled', error: ErrorShape | null): void
  /** Least milliseconds between two progress messages from the worker; default 100. */
  progressIntervalMs?: number
  /** How long a cancelled worker may take to reach its next check before it is terminated; default 5000 ms. */
  cancelGraceMs?: number
  /** V8 heap limits of the worker (a job that exceeds them fails instead of taking the engine's memory). */
  resourceLimits?: ResourceLimits
  /** The worker entry to start; default `workerEntry` of this module (built worker or tsx bootstrap). */
  entry?: URL
}

/**
 * One job script running in its own worker thread. Pause and cancel go through a shared control
 * word the worker checks between steps; a cancelled worker that does not stop within the grace time
 * is terminated. Whatever happens in the worker (a throw, process.exit, running out of memory)
 * ends as a failed job here: the engine's thread only ever sees messages and exit codes.
 */
export class WorkerJob<O> {
  private state: WorkerJobStatus = 'running'
  private readonly worker: Worker
  private readonly control = newControlWord()
  private settle!: { resolve(value: O): void; reject(error: NashlabError): void }
  private graceTimer: NodeJS.Timeout | undefined
  /** Resolves with the job's result; rejects with its error (code `cancelled` when cancelled). */
  readonly result: Promise<O>

  constructor(
    private readonly script: JobScript<unknown, O>,
    input: unknown,
    private readonly options: WorkerJobOptions = {},
  ) {
    this.result = new Promise<O>((resolve, reject) => (this.settle = { resolve, reject }))
    // Callers that only watch onEnd must not see an unhandled rejection.
    this.result.catch(() => {})
    const start: WorkerStart = {
      kind: script.kind,
      script: script.url.href,
      input,
      control: this.control,
      progressIntervalMs: options.progressIntervalMs ?? 100,
    }
    this.worker = new Worker(options.entry ?? defaultEntry, { workerData: start, resourceLimits: options.resourceLimits })
    this.worker.on('message', (message: WorkerMessage) => this.receive(message))
    this.worker.on('error', (error) => this.fail({ code: 'internal', message: `The ${script.kind} job crashed: ${error.message}` }))
    this.worker.on('exit', (code) => {
      if (this.finished) return
      if (this.graceTimer) return this.end('cancelled', null)
      this.fail({ code: 'internal', message: `The ${script.kind} job's worker exited with code ${code} before it finished.`, details: { exitCode: code } })
    })
  }

  private get finished(): boolean {
    return this.state === 'completed' || this.state === 'failed' || this.state === 'cancelled'
  }

  /** Pause at the worker's next check; false when the job is not running. */
  pause(): boolean {
    if (this.state !== 'running' || !askPause(this.control)) return false
    this.state = 'paused'
    return true
  }

  /** Resume a paused job; false when it is not paused. */
  resume(): boolean {
    if (this.state !== 'paused' || !askResume(this.control)) return false
    this.state = 'running'
    return true
  }

  /** Ask the job to stop; resolves once it has (by itself, or terminated after the grace time). */
  cancel(): Promise<void> {
    if (!this.finished && !this.graceTimer) {
      askCancel(this.control)
      this.worker.postMessage({ type: 'cancel' } satisfies MainMessage)
      this.graceTimer = setTimeout(() => void this.worker.terminate(), this.options.cancelGraceMs ?? 5000)
    }
    return this.result.then(
      () => undefined,
      () => undefined,
    )
  }

  private receive(message: WorkerMessage): void {
    if (this.finished) return
    switch (message.type) {
      case 'progress':
        return this.options.onProgress?.(message.progress)
      case 'warning':
        return this.options.onWarning?.(message.message)
      case 'data':
        return this.options.onData?.(message.data)
      case 'completed':
        this.end('completed', null)
        return this.settle.resolve(message.result as O)
      case 'failed':
        return this.fail(message.error)
      case 'cancelled':
        return this.end('cancelled', null)
    }
  }

  private fail(error: ErrorShape): void {
    if (this.finished) return
    if (this.graceTimer) return this.end('cancelled', null)
    this.end('failed', error)
  }

  private end(status: 'completed' | 'failed' | 'cancelled', error: ErrorShape | null): void {
    if (this.finished) return
    this.state = status
    clearTimeout(this.graceTimer)
    // The outcome is in; the thread has nothing left to do for the engine.
    void this.worker.terminate()
    if (status === 'failed') this.settle.reject(new NashlabError(error!.code, error!.message, error!.details))
    if (status === 'cancelled') this.settle.reject(new NashlabError('cancelled', `The ${this.script.kind} job was cancelled.`))
    this.options.onEnd?.(status, error)
  }
}
