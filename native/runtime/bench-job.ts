/**
 * The device benchmark as a job: create a session on the asked provider (with the engine's usual
 * fallback), then time `runs` runs of the matmul chain. Runs in a worker, so it reports progress and
 * can be paused or cancelled between runs.
 */
import type { BenchInput, BenchResult } from '../api/devices'
import { defineJob } from '../jobs/define'
import { benchLayers, benchModel } from './bench-model'
import { ort } from './ort'
import { Rng } from './rng'
import { createSession } from './session'

export default defineJob(async (input: BenchInput, ctx): Promise<BenchResult> => {
  const created = await createSession(benchModel, {
    provider: input.provider,
    intraOpNumThreads: input.threads,
    name: 'the benchmark',
  })
  for (const warning of created.warnings) ctx.warn(warning)
  const { session } = created
  const n = input.size
  const rng = Rng.fromSeed(1)
  const x = Float32Array.from({ length: n * n }, () => rng.float() - 0.5)
  // Entries of scale 1.7/√n keep activations of order one through the tanh layers.
  const w = Float32Array.from({ length: n * n }, () => ((rng.float() - 0.5) * 3.4) / Math.sqrt(n))
  const feeds = { x: new ort.Tensor('float32', x, [n, n]), w: new ort.Tensor('float32', w, [n, n]) }
  // One untimed run: the first pays for memory planning and weight packing.
  await session.run(feeds)
  const milliseconds: number[] = []
  let checksum = 0
  ctx.progress({ done: 0, total: input.runs, unit: 'runs' })
  try {
    for (let run = 1; run <= input.runs; run++) {
      ctx.check()
      const started = performance.now()
      const { y } = await session.run(feeds)
      milliseconds.push(performance.now() - started)
      checksum = (y.data as Float32Array)[0]
      ctx.progress({ done: run })
    }
  } finally {
    await session.release()
  }
  const median = milliseconds.sort((a, b) => a - b)[Math.floor(milliseconds.length / 2)]
  return {
    provider: created.provider,
    requested: created.requested,
    warnings: created.warnings,
    size: n,
    runs: input.runs,
    intraOpNumThreads: created.options.intraOpNumThreads!,
    millisecondsPerRun: median,
    gflops: (benchLayers * 2 * n ** 3) / (median / 1000) / 1e9,
    checksum,
  }
})
