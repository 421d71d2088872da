import type { ModelKind, ModelLink } from '../api/models'
import { NashlabError } from '../api/errors'
import type { Db } from './db'

/** A model row as stored (config is the model's own JSON description). */
export interface ModelRecord {
  id: number
  name: string
  kind: ModelKind
  description: string
  /** Its folder, relative to the data folder when inside it. */
  file: string | null
  config: Record<string, unknown>
  parentId: number | null
  runId: number | null
  /** Its own dataset link, else its run's dataset. */
  datasetId: number | null
  checkpointId: number | null
  createdAt: string
}

/** A row with the names of what it links to (one query for the list view). */
export interface ModelRow extends ModelRecord {
  parentName: string | null
  runAlgorithm: string | null
  runStatus: string | null
  datasetName: string | null
}

interface RawRow {
  id: number
  name: string
  kind: ModelKind
  description: string
  file: string | null
  config: string
  parent_id: number | null
  run_id: number | null
  dataset_id: number | null
  checkpoint_id: number | null
  created_at: string
  parent_name: string | null
  run_algorithm: string | null
  run_status: string | null
  dataset_name: string | null
  lineage_dataset_id: number | null
}

const select = `
  SELECT m.*, p.name AS parent_name, r.algorithm AS run_algorithm, r.status AS run_status,
         coalesce(d.name, rd.name) AS dataset_name, coalesce(m.dataset_id, r.dataset_id) AS lineage_dataset_id
    FROM models m
    LEFT JOIN models p ON p.id = m.parent_id
    LEFT JOIN runs r ON r.id = m.run_id
    LEFT JOIN datasets d ON d.id = m.dataset_id
    LEFT JOIN datasets rd ON rd.id = r.dataset_id`

export interface NewModel {
  name: string
  kind: ModelKind
  description?: string
  config: Record<string, unknown>
  file?: string | null
  parentId?: number | null
  runId?: number | null
  datasetId?: number | null
  checkpointId?: number | null
}

/** Models and their lineage (parent model, run, dataset, checkpoint). */
export class ModelRepository {
  constructor(private readonly db: Db) {}

  create(m: NewModel): number {
    if (this.find(m.name)) throw new NashlabError('conflict', `A model named "${m.name}" already exists.`, { model: m.name })
    const info = this.db
      .prepare('INSERT INTO models (name, kind, description, file, config, parent_id, run_id, dataset_id, checkpoint_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(m.name, m.kind, m.description ?? '', m.file ?? null, JSON.stringify(m.config), m.parentId ?? null, m.runId ?? null, m.datasetId ?? null, m.checkpointId ?? null)
    return Number(info.lastInsertRowid)
  }

  /** Set the folder and config once the files are written. */
  update(id: number, fields: { file?: string; config?: Record<string, unknown> }): void {
    if (fields.file !== undefined) this.db.prepare('UPDATE models SET file = ? WHERE id = ?').run(fields.file, id)
    if (fields.config !== undefined) this.db.prepare('UPDATE models SET config = ? WHERE id = ?').run(JSON.stringify(fields.config), id)
  }

  list(): ModelRow[] {
    return (this.db.prepare(`${select} ORDER BY m.id DESC`).all() as RawRow[]).map(toRow)
  }

  find(ref: number | string): ModelRow | undefined {
    const row = (
      typeof ref === 'number' || /^\d+$/.test(ref)
        ? this.db.prepare(`${select} WHERE m.id = ?`).get(Number(ref))
        : this.db.prepare(`${select} WHERE m.name = ?`).get(ref)
    ) as RawRow | undefined
    return row && toRow(row)
  }

  get(ref: number | string): ModelRow {
    const found = this.find(ref)
    if (!found) {
      throw new NashlabError('not_found', typeof ref === 'number' || /^\d+$/.test(ref) ? `There is no model ${ref}.` : `There is no model named "${ref}".`, { model: ref })
    }
    return found
  }

  children(id: number): ModelLink[] {
    return this.db.prepare('SELECT id, name FROM models WHERE parent_id = ? ORDER BY id').all(id) as ModelLink[]
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM models WHERE id = ?').run(id)
  }

  /** A name not taken yet: `base`, else `base-2`, `base-3`, … */
  freeName(base: string): string {
    let name = base
    for (let k = 2; this.find(name); k++) name = `${base}-${k}`
    return name
  }
}

function toRow(r: RawRow): ModelRow {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    description: r.description,
    file: r.file,
    config: JSON.parse(r.config) as Record<string, unknown>,
    parentId: r.parent_id,
    runId: r.run_id,
    datasetId: r.lineage_dataset_id,
    checkpointId: r.checkpoint_id,
    createdAt: r.created_at,
    parentName: r.parent_name,
    runAlgorithm: r.run_algorithm,
    runStatus: r.run_status,
    datasetName: r.dataset_name,
  }
}
