import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { BUILT_WORKER, WorkerJob, workerEntry } from '../native/jobs/runner'
import type { BenchResult } from '../native/api/devices'
import type { JobScript } from '../native/jobs/define'
import { benchJob } from '../native/runtime/service'

const builtMain = new URL('../out/main/index.js', import.meta.url)
const builtWorker = new URL(`../out/main/${BUILT_WORKER}`, import.meta.url)

describe('the built job worker', () => {
  it('is emitted by the build beside the main bundle, which picks it (source code picks the tsx bootstrap)', () => {
    if (!fs.existsSync(fileURLToPath(builtMain))) throw new Error(`The main process is not built (${fileURLToPath(builtMain)}); run "npm run build" before the end-to-end tests.`)
    expect(fs.existsSync(fileURLToPath(builtWorker))).toBe(true)
    expect(workerEntry(builtMain).href).toBe(builtWorker.href)
    expect(workerEntry(new URL('../native/jobs/runner.ts', import.meta.url)).pathname).toMatch(/\/native\/jobs\/worker-bootstrap\.mjs$/)
  })

  it('runs a job from the bundle (no TypeScript loader in the worker)', async () => {
    const progress: number[] = []
    const job = new WorkerJob(benchJob as JobScript<unknown, BenchResult>, { provider: 'cpu', size: 32, runs: 3, threads: 1 }, { entry: builtWorker, onProgress: (p) => progress.push(p.done) })
    const result = await job.result
    expect(result).toMatchObject({ provider: 'cpu', requested: 'cpu', warnings: [], size: 32, runs: 3, intraOpNumThreads: 1 })
    expect(Number.isFinite(result.checksum)).toBe(true)
    expect(progress.at(-1)).toBe(3)
  })
})
