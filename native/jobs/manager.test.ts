import { afterEach, describe, expect, it } from 'vitest'
import type { JobProgress } from '../api/events'
import type { JobSummary } from '../api/jobs'
import { jobScript } from './define'
import type stepsDefinition from './fixtures/steps-job'
import { JobManager } from './manager'

const steps = jobScript<typeof stepsDefinition>('test.steps', new URL('./fixtures/steps-job.ts', import.meta.url))

/** Poll until `ready()` holds (the worker's pace is not ours to know). */
async function until(ready: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

function recordingManager(options: ConstructorParameters<typeof JobManager>[0] = {}) {
  const progress: JobProgress[] = []
  const changes: JobSummary[] = []
  const manager = new JobManager({
    ...options,
    emit: (event, payload) => {
      if (event === 'jobs.progress') progress.push(payload as JobProgress)
      else changes.push(payload as JobSummary)
    },
  })
  managers.push(manager)
  return { manager, progress, changes }
}

const managers: JobManager[] = []
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.shutdown()))
})

describe('JobManager', () => {
  it('runs a job in a worker thread and reports throttled progress with rate and ETA', async () => {
    const { manager, progress, changes } = recordingManager()
    const job = manager.start(steps, { steps: 20, stepMs: 20 }, { label: 'twenty steps' })
    const result = await job.result
    expect(result.steps).toBe(20)
    expect(result.threadId).toBeGreaterThan(0)

    // One message per step would be 21; throttled at ~100 ms there are a handful, the last one whole.
    expect(progress.length).toBeGreaterThanOrEqual(2)
    expect(progress.length).toBeLessThan(15)
    const last = progress[progress.length - 1]
    expect(last).toMatchObject({ job: job.id, kind: 'test.steps', done: 20, total: 20, unit: 'steps', etaSeconds: 0 })
    const middle = progress.find((p) => p.done > 0 && p.done < 20)!
    expect(middle.rate).toBeGreaterThan(0)
    expect(middle.etaSeconds).toBeCloseTo((20 - middle.done) / middle.rate!, 6)

    const summary = manager.get(job.id)
    expect(summary).toMatchObject({ status: 'completed', label: 'twenty steps', error: null, warnings: ['Step 3 ran on the CPU instead of CUDA.'] })
    expect(changes.map((c) => c.status)).toEqual(['queued', 'running', 'running', 'completed'])
  })

  it('pauses at a step boundary and resumes, leaving paused time out of the rate', async () => {
    const { manager } = recordingManager()
    const started = Date.now()
    const job = manager.start(steps, { steps: 30, stepMs: 10 })
    const done = () => manager.get(job.id).progress?.done ?? 0
    await until(() => done() >= 3, 'three steps')
    expect(manager.pause(job.id).status).toBe('paused')
    await new Promise((resolve) => setTimeout(resolve, 300))
    const whilePaused = done()
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(done()).toBe(whilePaused)
    expect(manager.get(job.id).status).toBe('paused')
    expect(whilePaused).toBeLessThan(30)

    expect(manager.resume(job.id).status).toBe('running')
    await job.result
    const wall = (Date.now() - started) / 1000
    const final = manager.get(job.id)
    expect(final.status).toBe('completed')
    // Running time excludes the ≥ 0.7 s the job slept paused.
    expect(final.progress!.elapsedSeconds).toBeLessThan(wall - 0.6)
  })

  it('cancels a running job, a paused job and a queued job', async () => {
    const { manager } = recordingManager()
    const running = manager.start(steps, { steps: 1000, stepMs: 10 })
    const queued = manager.start(steps, { steps: 5, stepMs: 1 })
    expect(manager.get(queued.id).status).toBe('queued')
    await until(() => (manager.get(running.id).progress?.done ?? 0) >= 2, 'two steps')

    const cancelledQueued = await manager.cancel(queued.id)
    expect(cancelledQueued.status).toBe('cancelled')
    await expect(queued.result).rejects.toMatchObject({ code: 'cancelled' })

    manager.pause(running.id)
    const cancelled = await manager.cancel(running.id)
    expect(cancelled).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } })
    await expect(running.result).rejects.toMatchObject({ code: 'cancelled' })
    expect(cancelled.progress!.done).toBeLessThan(1000)

    const next = manager.start(steps, { steps: 1000, stepMs: 5 })
    await until(() => (manager.get(next.id).progress?.done ?? 0) >= 2, 'two steps')
    await manager.cancel(next.id)
    await expect(next.result).rejects.toMatchObject({ code: 'cancelled' })
  })

  it('terminates a job that ignores cancellation once the grace time is over', async () => {
    const { manager } = recordingManager({ cancelGraceMs: 200 })
    const job = manager.start(steps, { steps: 1000, stepMs: 10, ignoreChecks: true })
    await until(() => (manager.get(job.id).progress?.done ?? 0) >= 2, 'two steps')
    expect((await manager.cancel(job.id)).status).toBe('cancelled')
  })

  it('runs queued jobs one after another', async () => {
    const { manager, changes } = recordingManager()
    const first = manager.start(steps, { steps: 3, stepMs: 5 })
    const second = manager.start(steps, { steps: 3, stepMs: 5 })
    await Promise.all([first.result, second.result])
    const order = changes.filter((c) => c.status === 'running' || c.status === 'completed').map((c) => `${c.id}:${c.status}`)
    expect(order.indexOf(`${second.id}:running`)).toBeGreaterThan(order.indexOf(`${first.id}:completed`))
    expect(manager.list().map((j) => j.id)).toEqual([second.id, first.id])
  })

  it('turns a throw, a process.exit and an uncaught timer error in the worker into failed jobs', async () => {
    const { manager } = recordingManager({ maxRunning: 3 })
    const thrown = manager.start(steps, { steps: 10, stepMs: 1, throwAt: 2 })
    const exited = manager.start(steps, { steps: 10, stepMs: 1, exitAt: 2 })
    const timer = manager.start(steps, { steps: 10, stepMs: 1, throwLaterAt: 2 })

    await expect(thrown.result).rejects.toMatchObject({ code: 'bad_file', message: 'Step 2 found a broken batch.', details: { step: 2 } })
    await expect(exited.result).rejects.toMatchObject({ code: 'internal', message: expect.stringMatching(/exited with code 3 before it finished/) })
    await expect(timer.result).rejects.toMatchObject({ code: 'internal', message: expect.stringMatching(/crashed: a timer threw at step 2/) })
    for (const job of [thrown, exited, timer]) {
      const summary = manager.get(job.id)
      expect(summary.status).toBe('failed')
      expect(summary.error?.message).toBeTruthy()
    }
    // The engine's thread is unharmed: the next job runs.
    await expect(manager.start(steps, { steps: 2, stepMs: 1 }).result).resolves.toMatchObject({ steps: 2 })
  })

  it('fails a job whose input cannot be sent to a thread, and goes on with the queue', async () => {
    const { manager } = recordingManager()
    const bad = manager.start(steps, { steps: 1, stepMs: 1, onStep: () => {} } as never)
    const good = manager.start(steps, { steps: 1, stepMs: 1 })
    await expect(bad.result).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^The test.steps job could not start: /) })
    expect(manager.get(bad.id).status).toBe('failed')
    await expect(good.result).resolves.toMatchObject({ steps: 1 })
  })

  it('delivers every item a job sends, in order, and starts an immediate job beside a running one', async () => {
    const { manager } = recordingManager()
    const long = manager.start(steps, { steps: 40, stepMs: 25 })
    await until(() => manager.get(long.id).status === 'running', 'the long job to run')
    const received: unknown[] = []
    const quick = manager.start(steps, { steps: 30, stepMs: 1, send: true }, { immediate: true, onData: (d) => received.push(d) })
    await expect(quick.result).resolves.toMatchObject({ steps: 30 })
    // The long job is still running: the immediate one did not wait for it.
    expect(manager.get(long.id).status).toBe('running')
    expect(received).toEqual(Array.from({ length: 30 }, (_, i) => ({ step: i + 1 })))
    await manager.cancel(long.id)
  })

  it('answers unknown ids and wrong states with sentences', async () => {
    const { manager } = recordingManager()
    expect(() => manager.pause('99')).toThrow(/There is no job 99/)
    const job = manager.start(steps, { steps: 2, stepMs: 1 })
    await job.result
    expect(() => manager.resume(job.id)).toThrow(/is completed and cannot be resumed/)
    await expect(manager.cancel(job.id)).rejects.toMatchObject({ code: 'conflict' })
  })
})
