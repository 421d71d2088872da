import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { openDatabase, type Db } from './db'
import { RunRepository } from './runs'

let dir: string
let db: Db
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-runs-'))
  db = openDatabase(path.join(dir, 'nashlab.db'))
})
afterEach(() => {
  db.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

test('a run keeps its full config, status, metrics as series and checkpoints', () => {
  const runs = new RunRepository(db)
  const id = runs.create('nash-md-pg', { steps: 100, tau: 0.008, beta: 0.25 })
  expect(runs.list()).toEqual([expect.objectContaining({ id, status: 'queued', lastStep: null, totalSteps: 100 })])
  runs.setStatus(id, 'running')
  for (let step = 0; step < 5; step++) runs.logMetrics(id, step, { loss: 1 / (step + 1), 'loss/kl': step * 0.01, bad: Number.NaN })
  // A step logged again after a resume keeps the newer value.
  runs.logMetrics(id, 4, { loss: 0.1 })
  const series = runs.metrics(id)
  expect(series.map((s) => s.name)).toEqual(['loss', 'loss/kl'])
  expect(series[0]).toEqual({ name: 'loss', steps: [0, 1, 2, 3, 4], values: [1, 0.5, 1 / 3, 0.25, 0.1] })
  expect(runs.metrics(id, ['loss'], 2)).toEqual([{ name: 'loss', steps: [3, 4], values: [0.25, 0.1] }])
  runs.addCheckpoint(id, 4, 'runs/1/step-4')
  const detail = runs.get(id)
  expect(detail).toMatchObject({ status: 'running', lastStep: 4, config: { steps: 100, tau: 0.008, beta: 0.25 }, metricNames: ['loss', 'loss/kl'] })
  expect(runs.latestCheckpoint(id)).toMatchObject({ step: 4, path: 'runs/1/step-4' })
  expect(() => runs.get(999)).toThrow('There is no run 999.')
})
