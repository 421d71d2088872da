import type { CheckpointSummary, MetricSeries, RunDetail, RunStatus, RunSummary } from '../api/runs'
import { NashlabError } from '../api/errors'
import type { Db } from './db'

interface RunRecord {
  id: number
  algorithm: string
  config: string
  status: RunStatus
  error: string | null
  created_at: string
  updated_at: string
  last_step: number | null
}

/** Training runs with their full config, per-step metrics and checkpoints. */
export class RunRepository {
  constructor(private readonly db: Db) {}

  create(algorithm: string, config: Record<string, unknown>, links: { modelId?: number; datasetId?: number } = {}): number {
    const info = this.db
      .prepare("INSERT INTO runs (algorithm, config, status, model_id, dataset_id) VALUES (?, ?, 'queued', ?, ?)")
      .run(algorithm, JSON.stringify(config), links.modelId ?? null, links.datasetId ?? null)
    return Number(info.lastInsertRowid)
  }

  /** Replace the stored config (a trainer that resolves its config after the run exists, e.g. once its tokenizer is trained). */
  updateConfig(id: number, config: Record<string, unknown>): void {
    const info = this.db.prepare("UPDATE runs SET config = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?").run(JSON.stringify(config), id)
    if (info.changes === 0) throw notFound(id)
  }

  setStatus(id: number, status: RunStatus, error: string | null = null): void {
    const info = this.db
      .prepare("UPDATE runs SET status = ?, error = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?")
      .run(status, error, id)
    if (info.changes === 0) throw notFound(id)
  }

  list(): RunSummary[] {
    return (this.db.prepare(`${selectRuns} ORDER BY r.id DESC`).all() as RunRecord[]).map(summary)
  }

  get(id: number): RunDetail {
    const row = this.db.prepare(`${selectRuns} WHERE r.id = ?`).get(id) as RunRecord | undefined
    if (!row) throw notFound(id)
    const names = this.db.prepare('SELECT DISTINCT name FROM metrics WHERE run_id = ? ORDER BY name').pluck().all(id) as string[]
    return { ...summary(row), config: JSON.parse(row.config) as Record<string, unknown>, checkpoints: this.checkpoints(id), metricNames: names }
  }

  /** Record one step's metrics (a step logged twice keeps the newer values, as after a resume). */
  logMetrics(id: number, step: number, values: Record<string, number>): void {
    const insert = this.db.prepare('INSERT INTO metrics (run_id, step, name, value) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value')
    this.db.transaction(() => {
      for (const [name, value] of Object.entries(values)) if (Number.isFinite(value)) insert.run(id, step, name, value)
    })()
  }

  metrics(id: number, names?: string[], after = -1): MetricSeries[] {
    const rows = this.db
      .prepare('SELECT name, step, value FROM metrics WHERE run_id = ? AND step > ? ORDER BY name, step')
      .all(id, after) as { name: string; step: number; value: number }[]
    const wanted = names ? new Set(names) : null
    const series = new Map<string, MetricSeries>()
    for (const row of rows) {
      if (wanted && !wanted.has(row.name)) continue
      let s = series.get(row.name)
      if (!s) series.set(row.name, (s = { name: row.name, steps: [], values: [] }))
      s.steps.push(row.step)
      s.values.push(row.value)
    }
    return [...series.values()]
  }

  addCheckpoint(id: number, step: number, path: string): CheckpointSummary {
    this.db.prepare('INSERT INTO checkpoints (run_id, step, path) VALUES (?, ?, ?) ON CONFLICT(run_id, step) DO UPDATE SET path = excluded.path').run(id, step, path)
    return this.checkpoints(id).find((c) => c.step === step)!
  }

  checkpoints(id: number): CheckpointSummary[] {
    return this.db
      .prepare('SELECT id, run_id AS run, step, path, created_at AS createdAt FROM checkpoints WHERE run_id = ? ORDER BY step')
      .all(id) as CheckpointSummary[]
  }

  latestCheckpoint(id: number): CheckpointSummary | undefined {
    return this.checkpoints(id).at(-1)
  }
}

const selectRuns = `SELECT r.*, (SELECT max(step) FROM metrics m WHERE m.run_id = r.id) AS last_step FROM runs r`

function summary(r: RunRecord): RunSummary {
  const config = JSON.parse(r.config) as { steps?: unknown }
  return {
    id: r.id,
    algorithm: r.algorithm,
    status: r.status,
    error: r.error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastStep: r.last_step,
    totalSteps: typeof config.steps === 'number' ? config.steps : null,
  }
}

function notFound(id: number): NashlabError {
  return new NashlabError('not_found', `There is no run ${id}.`, { run: id })
}
