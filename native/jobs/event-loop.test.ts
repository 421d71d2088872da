import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import { benchJob } from '../runtime/service'
import { JobManager } from './manager'

const ms = (ns: number) => ns / 1e6

describe('jobs keep the engine thread responsive', () => {
  it("keeps the main thread's event-loop delay under 50 ms while a worker runs a real ORT session", async () => {
    const manager = new JobManager()
    // 12 runs of 16 matmuls at n = 768 (14.5 GFLOP each) on one intra-op thread: each run keeps a
    // core busy for ≥ 70 ms even on a fast core, so a run on this thread would show as a delay
    // above 50 ms in every sampling window.
    const job = manager.start(benchJob, { provider: 'cpu', size: 768, runs: 12, threads: 1 })
    // Measure from the first timed run on (worker start-up and session creation are not the subject).
    while ((manager.get(job.id).progress?.done ?? 0) < 1) await new Promise((resolve) => setTimeout(resolve, 5))

    const whole = monitorEventLoopDelay({ resolution: 5 })
    const window = monitorEventLoopDelay({ resolution: 5 })
    const windowMaxima: number[] = []
    let windowStart = performance.now()
    const nextWindow = setInterval(() => {
      // A blocked loop records few samples; it also runs this callback late, which counts too.
      const now = performance.now()
      windowMaxima.push(Math.max(ms(window.max), now - windowStart - 250))
      windowStart = now
      window.reset()
    }, 250)
    whole.enable()
    window.enable()
    const utilisationBefore = performance.eventLoopUtilization()
    const result = await job.result
    const utilisation = performance.eventLoopUtilization(utilisationBefore).utilization
    clearInterval(nextWindow)
    whole.disable()
    window.disable()

    expect(result).toMatchObject({ runs: 12, provider: 'cpu', intraOpNumThreads: 1 })
    expect(Number.isFinite(result.checksum)).toBe(true)
    const sorted = [...windowMaxima].sort((a, b) => a - b)
    const medianWindowMax = sorted[Math.floor(sorted.length / 2)]
    console.log(
      `event-loop delay while the session ran: max ${ms(whole.max).toFixed(1)} ms, p99 ${ms(whole.percentile(99)).toFixed(1)} ms, ` +
        `mean ${ms(whole.mean).toFixed(1)} ms over ${whole.count} samples; median of ${windowMaxima.length} per-250-ms maxima ` +
        `${medianWindowMax.toFixed(1)} ms; event-loop utilisation ${utilisation.toFixed(3)}; ` +
        `${result.millisecondsPerRun.toFixed(1)} ms per run (${result.gflops.toFixed(0)} GFLOP/s)`,
    )
    expect(windowMaxima.length).toBeGreaterThanOrEqual(3)
    // The delay stays under 50 ms in the typical 250 ms window. The median window rather than the
    // single worst sample: on a machine other processes keep busy, the OS now and then leaves even
    // an idle process unscheduled for tens of ms (measured here: 70 ms for an idle loop at load
    // average 7 on 2 cores). (The histogram records each 5 ms interval whole: idle reads ≈ 5 ms.)
    expect(medianWindowMax).toBeLessThan(50)
    // The engine's loop sat idle, waiting: the work ran elsewhere.
    expect(utilisation).toBeLessThan(0.2)
    await manager.shutdown()
  })
})
