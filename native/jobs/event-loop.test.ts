import { monitorEventLoopDelay } from 'node:perf_hooks'
import { describe, expect, it } from 'vitest'
import { benchJob } from '../runtime/service'
import { JobManager } from './manager'

describe('jobs keep the engine thread responsive', () => {
  it("keeps the main thread's event-loop delay under 50 ms while a worker runs a real ORT session", async () => {
    const manager = new JobManager()
    // 40 runs of 16 matmuls at n = 512 (≈ 4.3 GFLOP each) with the engine's default session
    // options: one intra-op thread per core, so the worker's session keeps every core busy.
    const job = manager.start(benchJob, { provider: 'cpu', size: 512, runs: 40 })
    // Measure from the first timed run on (worker start-up and session creation are not the subject).
    while ((manager.get(job.id).progress?.done ?? 0) < 1) await new Promise((resolve) => setTimeout(resolve, 5))
    const delay = monitorEventLoopDelay({ resolution: 5 })
    delay.enable()
    const cpuBefore = process.cpuUsage()
    const wallBefore = performance.now()
    const result = await job.result
    delay.disable()
    const cpu = process.cpuUsage(cpuBefore)
    const busyCores = (cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore)

    expect(result).toMatchObject({ runs: 40, provider: 'cpu' })
    expect(Number.isFinite(result.checksum)).toBe(true)
    const maxMs = delay.max / 1e6
    // The histogram records each 5 ms timer interval whole, so an idle loop already reads ≈ 5 ms.
    console.log(
      `event-loop delay while the session ran: max ${maxMs.toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, ` +
        `mean ${(delay.mean / 1e6).toFixed(1)} ms over ${delay.count} samples; ${result.millisecondsPerRun.toFixed(1)} ms per run ` +
        `(${result.gflops.toFixed(0)} GFLOP/s on ${result.intraOpNumThreads} threads); process CPU ${busyCores.toFixed(2)} cores`,
    )
    expect(delay.count).toBeGreaterThan(10)
    expect(maxMs).toBeLessThan(50)
    await manager.shutdown()
  })
})
