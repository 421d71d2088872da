import type { Events, JobProgress } from '../api/events'
import { NashlabError } from '../api/errors'
import type { JobStatus, JobSummary } from '../api/jobs'
import type { JobScript } from './define'
import { WorkerJob, type WorkerJobOptions } from './runner'

type JobEvent = 'jobs.progress' | 'jobs.changed'

export interface JobManagerOptions {
  /** Where `jobs.progress` and `jobs.changed` go (the engine's event bus). */
  emit?<E extends JobEvent>(event: E, payload: Events[E]): void
  /**
   * Jobs running at once; the rest wait as `queued`. Default 1: a training or evaluation job already
   * uses every core (sessions default to one intra-op thread per core), two would only contend.
   */
  maxRunning?: number
  /** Finished jobs kept for `jobs.list`; default 100. */
  keepFinished?: number
  progressIntervalMs?: number
  cancelGraceMs?: number
}

export interface StartOptions {
  /** A line for lists; default: the kind. */
  label?: string
  /** Aborting it cancels the job. */
  signal?: AbortSignal
  resourceLimits?: WorkerJobOptions['resourceLimits']
  /** Receives what the job sends with `ctx.send` (streamed tokens, partial results). */
  onData?(data: unknown): void
  /**
   * Start at once beside whatever runs, instead of waiting in the queue: for short interactive work
   * (a side-by-side comparison) that a user waits for while a long job trains.
   */
  immediate?: boolean
}

export interface StartedJob<O> {
  id: string
  /** Resolves with the job's result; rejects with its NashlabError (`cancelled` when cancelled). */
  result: Promise<O>
}

interface Entry {
  summary: JobSummary
  /** Set while running or paused. */
  worker?: WorkerJob<unknown>
  /** Starts the worker (kept while queued). */
  launch?: () => void
  /** Settles `result` for a job cancelled while still queued. */
  cancelQueued?: () => void
  /** Stops listening to the caller's AbortSignal once the job has ended. */
  detach?: () => void
}

/**
 * The engine's jobs: a queue in front of worker threads, their status and latest progress, and the
 * `jobs.*` events. Domains start their long work here (`manager.start(script, input)`); front doors
 * list, pause, resume and cancel it by id.
 */
export class JobManager {
  private readonly entries = new Map<string, Entry>()
  private readonly queue: string[] = []
  private nextId = 1

  constructor(private readonly options: JobManagerOptions = {}) {}

  start<I, O>(script: JobScript<I, O>, input: I, options: StartOptions = {}): StartedJob<O> {
    const id = String(this.nextId++)
    const summary: JobSummary = {
      id,
      kind: script.kind,
      label: options.label ?? script.kind,
      status: 'queued',
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      progress: null,
      warnings: [],
      error: null,
    }
    const entry: Entry = { summary }
    const result = new Promise<O>((resolve, reject) => {
      entry.cancelQueued = () => reject(new NashlabError('cancelled', `The ${script.kind} job was cancelled before it started.`))
      entry.launch = () => {
        entry.launch = entry.cancelQueued = undefined
        let worker: WorkerJob<O>
        try {
          worker = this.spawn(entry, script, input, options)
        } catch (error) {
          // E.g. an input that cannot be copied to a thread (a function, a socket).
          const failure = new NashlabError('invalid_input', `The ${script.kind} job could not start: ${(error as Error).message}`)
          reject(failure)
          return this.finish(entry, 'failed', failure.toJSON())
        }
        entry.worker = worker as WorkerJob<unknown>
        worker.result.then(resolve, reject)
        summary.status = 'running'
        summary.startedAt = new Date().toISOString()
        this.changed(entry)
      }
    })
    result.catch(() => {})
    this.entries.set(id, entry)
    this.changed(entry)
    if (options.immediate) entry.launch!()
    else this.queue.push(id)
    const signal = options.signal
    if (signal) {
      const onAbort = () => void this.cancel(id).catch(() => {})
      if (signal.aborted) onAbort()
      else {
        signal.addEventListener('abort', onAbort, { once: true })
        entry.detach = () => signal.removeEventListener('abort', onAbort)
      }
    }
    this.launchQueued()
    return { id, result }
  }

  private spawn<I, O>(entry: Entry, script: JobScript<I, O>, input: I, options: StartOptions): WorkerJob<O> {
    const { id } = entry.summary
    return new WorkerJob<O>(script as JobScript<unknown, O>, input, {
      progressIntervalMs: this.options.progressIntervalMs,
      cancelGraceMs: this.options.cancelGraceMs,
      resourceLimits: options.resourceLimits,
      onProgress: (p) => {
        const progress: JobProgress = { job: id, kind: script.kind, ...p }
        entry.summary.progress = progress
        this.options.emit?.('jobs.progress', progress)
      },
      onWarning: (message) => {
        entry.summary.warnings.push(message)
        this.changed(entry)
      },
      onData: options.onData,
      onEnd: (status, error) => {
        entry.worker = undefined
        this.finish(entry, status, error)
      },
    })
  }

  /** Every job, newest first. */
  list(): JobSummary[] {
    return [...this.entries.values()].map((e) => copy(e.summary)).reverse()
  }

  get(id: string): JobSummary {
    return copy(this.entry(id).summary)
  }

  pause(id: string): JobSummary {
    const entry = this.entry(id)
    if (!entry.worker?.pause()) throw this.wrongState(entry, 'paused', 'only a running job can be paused')
    entry.summary.status = 'paused'
    this.changed(entry)
    return copy(entry.summary)
  }

  resume(id: string): JobSummary {
    const entry = this.entry(id)
    if (!entry.worker?.resume()) throw this.wrongState(entry, 'resumed', 'only a paused job can be resumed')
    entry.summary.status = 'running'
    this.changed(entry)
    return copy(entry.summary)
  }

  /** Cancel a queued, running or paused job; resolves with its summary once it has stopped. */
  async cancel(id: string): Promise<JobSummary> {
    const entry = this.entry(id)
    if (entry.summary.status === 'queued') {
      this.queue.splice(this.queue.indexOf(id), 1)
      entry.cancelQueued?.()
      this.finish(entry, 'cancelled', null)
    } else if (entry.worker) {
      await entry.worker.cancel()
    } else {
      throw this.wrongState(entry, 'cancelled', 'it has already finished')
    }
    return copy(entry.summary)
  }

  /** Cancel everything and wait for the workers to stop (engine shutdown). */
  async shutdown(): Promise<void> {
    const open = [...this.entries.values()].filter((e) => e.worker || e.summary.status === 'queued')
    await Promise.all(open.map((e) => this.cancel(e.summary.id).catch(() => undefined)))
  }

  private finish(entry: Entry, status: Extract<JobStatus, 'completed' | 'failed' | 'cancelled'>, error: JobSummary['error']): void {
    entry.summary.status = status
    entry.summary.error = status === 'cancelled' ? { code: 'cancelled', message: `The ${entry.summary.kind} job was cancelled.` } : error
    entry.summary.finishedAt = new Date().toISOString()
    entry.detach?.()
    this.changed(entry)
    this.forgetOldest()
    this.launchQueued()
  }

  private launchQueued(): void {
    const max = this.options.maxRunning ?? 1
    // Counted afresh each time: a launch that fails finishes its job (and launches the next) at once.
    const running = () => [...this.entries.values()].filter((e) => e.worker).length
    while (running() < max && this.queue.length > 0) this.entries.get(this.queue.shift()!)?.launch?.()
  }

  private forgetOldest(): void {
    const keep = this.options.keepFinished ?? 100
    const finished = [...this.entries.values()].filter((e) => e.summary.finishedAt !== null)
    for (const e of finished.slice(0, Math.max(0, finished.length - keep))) this.entries.delete(e.summary.id)
  }

  private changed(entry: Entry): void {
    this.options.emit?.('jobs.changed', copy(entry.summary))
  }

  private entry(id: string): Entry {
    const entry = this.entries.get(id)
    if (!entry) throw new NashlabError('not_found', `There is no job ${id} in this engine.`, { id })
    return entry
  }

  private wrongState(entry: Entry, verb: string, why: string): NashlabError {
    const { id, kind, status } = entry.summary
    return new NashlabError('conflict', `Job ${id} (${kind}) is ${status} and cannot be ${verb}: ${why}.`, { id, status })
  }
}

function copy(summary: JobSummary): JobSummary {
  return { ...summary, warnings: [...summary.warnings], progress: summary.progress && { ...summary.progress } }
}
