/**
 * How a job is written. A job script is a module whose default export is `defineJob(run)`; it runs
 * in a worker thread, so it may block (session.run does) without stalling the engine:
 *
 *   export default defineJob(async (input: BenchInput, ctx): Promise<BenchResult> => {
 *     for (let step = 0; step < input.steps; step++) {
 *       ctx.check()                                   // pause and cancel take effect here
 *       ...one step...
 *       ctx.progress({ done: step + 1, total: input.steps, unit: 'runs' })
 *     }
 *     return result
 *   })
 *
 * The main thread names the script with `import type benchDefinition from './bench-job'` and
 * `jobScript<typeof benchDefinition>(kind, new URL('./bench-job.ts', import.meta.url))`, which types
 * its input and result without loading it.
 */
export interface JobContext {
  /** Aborted once the job is cancelled; pass it to async work that takes a signal. */
  readonly signal: AbortSignal
  /**
   * Call between steps. Returns at once while the job runs; sleeps (no CPU) while it is paused;
   * throws a `cancelled` NashlabError once it is cancelled. Pausing and cancelling act only here.
   */
  check(): void
  /**
   * Report progress. Sent to the main thread at most once per ~100 ms (always the first report and
   * the one reaching `total`); rate and ETA are computed here from running time, pauses excluded,
   * counted from the first report (so a job resumed at step 500 reports its own rate).
   */
  progress(report: { done: number; total?: number | null; unit?: string; message?: string }): void
  /** A warning the user should see that does not stop the job (e.g. a provider fell back to CPU). */
  warn(message: string): void
  /**
   * Data for whoever started the job (`StartOptions.onData`), e.g. streamed tokens. Not throttled:
   * every item arrives, in order, before the job's result. Must be copyable to another thread.
   */
  send(data: unknown): void
}

export interface JobDefinition<I, O> {
  readonly run: (input: I, ctx: JobContext) => Promise<O> | O
}

export function defineJob<I, O>(run: (input: I, ctx: JobContext) => Promise<O> | O): JobDefinition<I, O> {
  return { run }
}

/** A job script as the main thread knows it: a kind and the module's URL; I and O type the call. */
export interface JobScript<I, O> {
  readonly kind: string
  readonly url: URL
  /** Phantom: never set, carries the input and result types. */
  readonly types?: (input: I) => O
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDefinition = JobDefinition<any, any>

/** Name a job script for the main thread (see the example above); the type import loads nothing. */
export function jobScript<D extends AnyDefinition>(
  kind: string,
  url: URL,
): JobScript<D extends JobDefinition<infer I, unknown> ? I : never, D extends JobDefinition<never, infer O> ? Awaited<O> : never> {
  return { kind, url }
}
