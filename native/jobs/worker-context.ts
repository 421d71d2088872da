import { NashlabError } from '../api/errors'
import { cancelAsked, pauseAsked, type ControlWord } from './control'
import type { JobContext } from './define'
import type { WorkerMessage, WorkerProgress } from './protocol'

/** The worker side of a job's context: control-word checks, throttled progress with rate and ETA. */
export class WorkerJobContext implements JobContext {
  private readonly controller = new AbortController()
  readonly signal = this.controller.signal
  private readonly startedAt = performance.now()
  private pausedMs = 0
  private first: { done: number; seconds: number } | undefined
  private lastSentAt = -Infinity
  private unsent: WorkerProgress | undefined
  private unit = 'steps'
  private total: number | null = null

  constructor(
    private readonly control: ControlWord,
    private readonly post: (message: WorkerMessage) => void,
    private readonly intervalMs: number,
  ) {}

  /** The main thread's cancel message: abort async waits at once (check() sees the word too). */
  abort(): void {
    if (!this.signal.aborted) this.controller.abort(cancelledError())
  }

  get cancelRequested(): boolean {
    return Atomics.load(this.control, 0) === cancelAsked || this.signal.aborted
  }

  check(): void {
    for (;;) {
      const word = Atomics.load(this.control, 0)
      if (word === cancelAsked) {
        this.abort()
        throw cancelledError()
      }
      if (word !== pauseAsked) return
      const since = performance.now()
      Atomics.wait(this.control, 0, pauseAsked)
      this.pausedMs += performance.now() - since
    }
  }

  progress(report: { done: number; total?: number | null; unit?: string; message?: string }): void {
    if (report.total !== undefined) this.total = report.total
    if (report.unit !== undefined) this.unit = report.unit
    const now = performance.now()
    const seconds = (now - this.startedAt - this.pausedMs) / 1000
    this.first ??= { done: report.done, seconds }
    const span = seconds - this.first.seconds
    const rate = span > 0 && report.done > this.first.done ? (report.done - this.first.done) / span : null
    const progress: WorkerProgress = {
      done: report.done,
      total: this.total,
      unit: this.unit,
      rate,
      etaSeconds: rate !== null && this.total !== null ? Math.max(0, this.total - report.done) / rate : null,
      elapsedSeconds: seconds,
      ...(report.message !== undefined ? { message: report.message } : {}),
    }
    const finished = this.total !== null && report.done >= this.total
    if (finished || now - this.lastSentAt >= this.intervalMs) {
      this.lastSentAt = now
      this.unsent = undefined
      this.post({ type: 'progress', progress })
    } else {
      this.unsent = progress
    }
  }

  /** Send the last report if throttling held it back (called when the job ends). */
  flush(): void {
    if (this.unsent) this.post({ type: 'progress', progress: this.unsent })
    this.unsent = undefined
  }

  warn(message: string): void {
    this.post({ type: 'warning', message })
  }

  send(data: unknown): void {
    this.post({ type: 'data', data })
  }
}

function cancelledError(): NashlabError {
  return new NashlabError('cancelled', 'The job was cancelled.')
}
