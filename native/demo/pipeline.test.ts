import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DemoStatus } from '../api/demo'
import { Engine } from '../engine/engine'
import { fixedPointResidual } from '../game/equilibrium'
import { preferenceGame } from '../game/game'
import type { DemoReport } from './report-data'
import { DemoService } from './service'
import { tinyDemoSizes } from './fixtures/tiny-sizes'

const tiny = tinyDemoSizes

let dir: string
let engine: Engine
let status: DemoStatus
let report: DemoReport
const changes: DemoStatus[] = []

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-demo-'))
  engine = new Engine({ database: path.join(dir, 'nashlab.db'), mode: 'cli' })
  engine.events.on('demo.changed', (s) => changes.push(s))
  const service = engine.service(DemoService)
  service.start('quick', path.join(dir, 'out'), tiny)
  status = await service.finished()
  report = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'report.json'), 'utf8')) as DemoReport
}, 240_000)

afterAll(async () => {
  await engine.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const complementary = (m: number[][]) => {
  for (let i = 0; i < m.length; i++) {
    for (let j = 0; j < m.length; j++) {
      expect(m[i][j]).toBeGreaterThanOrEqual(0)
      expect(m[i][j]).toBeLessThanOrEqual(1)
      expect(m[i][j] + m[j][i]).toBeCloseTo(1, 9)
    }
  }
}

describe('the demo pipeline, end to end at a tiny size', () => {
  it('runs every stage and reports them as it goes', () => {
    expect(status.state, status.error ?? '').toBe('completed')
    expect(status.stages.every((s) => s.status === 'done')).toBe(true)
    expect(changes.some((c) => c.state === 'running' && c.stages.some((s) => s.status === 'running'))).toBe(true)
    expect(status.summary?.policies).toHaveLength(8)
  })

  it('records its datasets, models, runs and tournaments in the project like a user’s own', async () => {
    const datasets = (await engine.call('datasets.list', {})).map((d) => d.name)
    expect(datasets).toEqual(expect.arrayContaining(['restaurants (demo demonstrations)', report.collected.dataset]))
    const runs = await engine.call('runs.list', {})
    expect(runs.filter((r) => r.status === 'completed').map((r) => r.algorithm).sort()).toEqual(['best-response', 'nash-ema-pg', 'nash-md-pg', 'nash-md-pg', 'nash-md-pg', 'preference', 'reward', 'rlhf', 'self-play', 'sft'].sort())
    const nash = runs.find((r) => r.algorithm === 'nash-md-pg')!
    expect((await engine.call('runs.show', { run: nash.id })).config).toMatchObject({ evalJudge: { name: 'oracle', kind: 'oracle' }, tau: report.game.tau })
    const tournaments = await engine.call('tournaments.list', {})
    expect(tournaments.map((t) => t.status)).toEqual(['completed', 'completed'])
    expect(report.policies.map((p) => p.model.name).every((name) => name.startsWith('demo-quick'))).toBe(true)
  })

  it('writes a self-contained report with every section, and the ONNX exports', async () => {
    const html = fs.readFileSync(path.join(dir, 'out', 'report.html'), 'utf8')
    for (const id of ['findings', 'task', 'data', 'judges', 'training', 'shares', 'tournament', 'samples', 'exports']) expect(html).toContain(`id="${id}"`)
    expect(html).toContain('<svg')
    expect(html).not.toMatch(/<script|src="http|href="http/)
    for (const e of report.exports) expect(fs.existsSync(path.join(dir, 'out', e.folder, 'model.onnx'))).toBe(true)
    expect(report.exports).toHaveLength(10)
    const served = await engine.call('demo.report', {})
    expect(served.html).toBe(html)
  })

  it('has consistent numbers: shares, equilibrium, exact and tournament matrices', () => {
    for (const p of report.policies) expect(Object.values(p.shares).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9)
    expect(report.game.equilibrium.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9)
    expect(report.game.residual).toBeLessThan(1e-9)
    expect(fixedPointResidual(preferenceGame(report.game.matrix, report.game.mu, report.game.tau), report.game.equilibrium)).toBeLessThan(1e-9)
    // The population's own equilibrium: every option scores ½ against it.
    report.population.matrix.forEach((row) => expect(row.reduce((s, p, j) => s + p * report.population.nash[j], 0)).toBeCloseTo(0.5, 9))
    complementary(report.exact.matrix)
    complementary(report.tournaments.oracle.result.matrix)
    complementary(report.tournaments.preference.result.matrix)
    for (const p of report.policies) {
      expect(p.exploitability).toBeGreaterThanOrEqual(-1e-12)
      expect(p.regularisedExploitability).toBeGreaterThanOrEqual(-1e-12)
    }
    expect(report.verdicts).toHaveLength(6)
    for (const v of report.verdicts) {
      expect(v.low).toBeLessThanOrEqual(v.p)
      expect(v.high).toBeGreaterThanOrEqual(v.p)
    }
    expect(report.findings.some((f) => /intermediate β/.test(f))).toBe(true)
  })
})

describe('cancelling the demo', () => {
  it('stops the stage running (its own run) and records the demo as cancelled', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-demo-cancel-'))
    const e = new Engine({ database: path.join(other, 'nashlab.db'), mode: 'cli' })
    try {
      const service = e.service(DemoService)
      const sftRunning = new Promise<void>((resolve) => {
        const off = e.events.on('runs.status', (s) => {
          if (s.status === 'running') {
            off()
            resolve()
          }
        })
      })
      service.start('quick', path.join(other, 'out'), { ...tiny, sftSteps: 100_000 })
      await sftRunning
      const cancelled = await e.call('demo.cancel', {})
      expect(cancelled.state).toBe('cancelled')
      expect(cancelled.stages.find((s) => s.id === 'sft')?.status).toBe('failed')
      const runs = await e.call('runs.list', {})
      expect(runs.map((r) => [r.algorithm, r.status])).toEqual([['sft', 'cancelled']])
      await expect(e.call('demo.cancel', {})).rejects.toThrow('No demo is running.')
    } finally {
      await e.close()
      fs.rmSync(other, { recursive: true, force: true })
    }
  }, 120_000)
})
