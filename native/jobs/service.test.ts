import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { JobProgress, JobSummary } from '../api/contract'
import { Engine } from '../engine/engine'
import { startServer } from '../server/server'

const run = promisify(execFile)
const cli = path.resolve('bin/nashlab.js')

let dir: string
let engine: Engine
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-jobs-'))
  engine = new Engine({ database: path.join(dir, 'nashlab.db'), mode: 'web' })
})
afterEach(async () => {
  await engine.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

async function until(ready: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('jobs and devices through the engine contract', () => {
  it('lists devices and runs the benchmark as a job whose progress is pushed as jobs.progress', async () => {
    const devices = await engine.call('devices.list', {})
    expect(devices.providers.find((p) => p.provider === 'cpu')?.usable).toBe(true)

    const progress: JobProgress[] = []
    engine.events.on('jobs.progress', (p) => progress.push(p))
    const result = await engine.call('devices.bench', { size: 64, runs: 5 })
    expect(result).toMatchObject({ provider: 'cpu', requested: 'cpu', size: 64, runs: 5, warnings: [] })
    expect(result.gflops).toBeGreaterThan(0)
    expect(progress.at(-1)).toMatchObject({ kind: 'devices.bench', done: 5, total: 5, unit: 'runs' })

    const [job] = await engine.call('jobs.list', {})
    expect(job).toMatchObject({ kind: 'devices.bench', status: 'completed', label: 'Benchmark on cpu (n = 64)' })
  })

  it('pauses, resumes and cancels a job by id; the cancelled call rejects with `cancelled`', async () => {
    const changes: JobSummary[] = []
    engine.events.on('jobs.changed', (s) => changes.push(s))
    const call = engine.call('devices.bench', { size: 32, runs: 100_000 })
    call.catch(() => {})
    await until(() => (engine.jobs.list()[0]?.progress?.done ?? 0) > 0, 'the first runs')
    const id = engine.jobs.list()[0].id

    expect(await engine.call('jobs.pause', { id })).toMatchObject({ id, status: 'paused' })
    await expect(engine.call('jobs.pause', { id })).rejects.toMatchObject({ code: 'conflict' })
    expect(await engine.call('jobs.resume', { id })).toMatchObject({ status: 'running' })
    expect(await engine.call('jobs.cancel', { id })).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } })
    await expect(call).rejects.toMatchObject({ code: 'cancelled' })
    expect(changes.map((c) => c.status)).toEqual(['queued', 'running', 'paused', 'running', 'cancelled'])
    await expect(engine.call('jobs.cancel', { id: 'nope' })).rejects.toMatchObject({ code: 'not_found' })
  })

  it('warns and runs on the CPU when the benchmark asks for a provider that cannot start here', async () => {
    const devices = await engine.call('devices.list', {})
    const unusable = devices.providers.find((p) => !p.usable)
    if (!unusable) return expect(devices.providers.every((p) => p.usable)).toBe(true)
    const result = await engine.call('devices.bench', { provider: unusable.provider, size: 32, runs: 2 })
    expect(result.provider).toBe('cpu')
    expect(result.warnings[0]).toContain(unusable.reason!)
    expect(engine.jobs.list()[0].warnings).toEqual(result.warnings)
  })

  it('`nashlab jobs list --server` lists the jobs of a running server, and the CLI runs a job worker itself', async () => {
    const server = await startServer({ engine, staticDir: dir, log: () => {} })
    try {
      const call = engine.call('devices.bench', { size: 32, runs: 100_000 })
      call.catch(() => {})
      await until(() => engine.jobs.list()[0]?.status === 'running', 'the job to start')
      const { stdout } = await run(process.execPath, [cli, 'jobs', 'list', '--server', server.url, '--json'])
      const listed = JSON.parse(stdout) as JobSummary[]
      expect(listed).toHaveLength(1)
      expect(listed[0]).toMatchObject({ kind: 'devices.bench', status: 'running' })
      const text = await run(process.execPath, [cli, 'jobs', 'cancel', listed[0].id, '--server', server.url])
      expect(text.stdout).toMatch(/cancelled\s+Benchmark on cpu/)
      await expect(call).rejects.toMatchObject({ code: 'cancelled' })
    } finally {
      await server.close()
    }
    // Under `node bin/nashlab.js` the job's worker loads the TypeScript sources too.
    const env = { ...process.env, NASHLAB_DB: path.join(dir, 'cli.db') }
    const bench = await run(process.execPath, [cli, 'devices', 'bench', '--size', '32', '--runs', '3', '--json'], { env })
    expect(JSON.parse(bench.stdout)).toMatchObject({ provider: 'cpu', runs: 3 })
    const local = await run(process.execPath, [cli, 'jobs', 'list'], { env })
    expect(local.stdout).toMatch(/^No jobs in this engine\./)
  })
})
