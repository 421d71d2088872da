import type { DatasetSummary } from '../api/contract'
import { NashlabError } from '../api/errors'
import type { Db } from './db'

export { DatasetWriter, ComparisonWriter, type NewComparison, type WriteCounts } from './dataset-writer'

interface SummaryRecord {
  id: number
  name: string
  description: string
  createdAt: string
  prompts: number
  responses: number
  comparisons: number
  feedback: number
}

const summarySql = `SELECT d.id, d.name, d.description, d.created_at AS createdAt,
       coalesce(n.prompts, 0) AS prompts, coalesce(n.responses, 0) AS responses,
       coalesce(n.comparisons, 0) AS comparisons, coalesce(n.feedback, 0) AS feedback
  FROM datasets d LEFT JOIN dataset_counts n ON n.dataset_id = d.id`

/**
 * Datasets and their counts. The counts come from `dataset_counts`, which triggers keep, so
 * listing costs the same for ten rows or ten million.
 */
export class DatasetRepository {
  constructor(private readonly db: Db) {}

  list(): DatasetSummary[] {
    return this.db.prepare(`${summarySql} ORDER BY d.name`).all() as SummaryRecord[]
  }

  find(name: string): DatasetSummary | undefined {
    return this.db.prepare(`${summarySql} WHERE d.name = ?`).get(name) as SummaryRecord | undefined
  }

  get(name: string): DatasetSummary {
    const found = this.find(name)
    if (!found) throw new NashlabError('not_found', `There is no dataset named "${name}".`, { dataset: name })
    return found
  }

  create(name: string, description = ''): DatasetSummary {
    if (this.find(name)) throw new NashlabError('conflict', `A dataset named "${name}" already exists.`, { dataset: name })
    this.db.prepare('INSERT INTO datasets (name, description) VALUES (?, ?)').run(name, description)
    return this.get(name)
  }

  /** The dataset's id, creating the dataset when it does not exist yet. */
  ensure(name: string): number {
    this.db.prepare('INSERT INTO datasets (name) VALUES (?) ON CONFLICT(name) DO NOTHING').run(name)
    return (this.db.prepare('SELECT id FROM datasets WHERE name = ?').get(name) as { id: number }).id
  }

  /**
   * Delete a dataset with everything in it, in one transaction, child rows first.
   *
   * Deleting a response makes SQLite look for comparisons that reference it, and comparisons have
   * no index on their response columns (it would slow every import), so with foreign keys on each
   * deleted response would scan the whole table. The fast path therefore deletes with foreign keys
   * off, after this dataset's judgements are gone, and then checks every other table that
   * references a deleted kind of row; should any still point at one, it rolls back and deletes
   * the slow way, with foreign keys (and their cascades) on.
   *
   * `onStep(done, total)` is called after each kind of row is gone (a delete of a million
   * comparisons takes tens of seconds; see delete-job.ts).
   */
  delete(name: string, onStep: (done: number, total: number) => void = () => {}): void {
    const { id } = this.get(name)
    this.onStep = onStep
    try {
      if (this.db.inTransaction || !this.deleteFast(id)) this.deleteChecked(id)
      onStep(6, 6)
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_CONSTRAINT_FOREIGNKEY') throw error
      throw new NashlabError('conflict', `The dataset "${name}" cannot be deleted: other records still refer to its rows. Nothing was deleted.`, { dataset: name })
    }
  }

  private onStep: (done: number, total: number) => void = () => {}

  private deleteRows(id: number): void {
    const steps = [
      'DELETE FROM comparisons WHERE dataset_id = ?',
      'DELETE FROM feedback WHERE dataset_id = ?',
      'DELETE FROM dataset_edits WHERE dataset_id = ?',
      'DELETE FROM responses WHERE prompt_id IN (SELECT id FROM prompts WHERE dataset_id = ?)',
      'DELETE FROM prompts WHERE dataset_id = ?',
    ]
    steps.forEach((sql, i) => {
      this.db.prepare(sql).run(id)
      this.onStep(i + 1, steps.length + 1)
    })
  }

  private deleteChecked(id: number): void {
    this.db.transaction(() => {
      this.deleteRows(id)
      this.db.prepare('DELETE FROM datasets WHERE id = ?').run(id)
    })()
  }

  private deleteFast(id: number): boolean {
    const own = new Set(['comparisons', 'feedback', 'dataset_edits', 'dataset_counts', 'responses', 'prompts'])
    const tables = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[]
    const references = tables
      .filter((t) => !own.has(t))
      .flatMap((t) => (this.db.prepare('SELECT "table" AS parent, "from" AS "column", on_delete AS action FROM pragma_foreign_key_list(?)').all(t) as ForeignKey[]).map((k) => ({ ...k, table: t })))
      .filter((k) => k.parent in idsOfDataset)
    this.db.pragma('foreign_keys = OFF')
    try {
      return this.db.transaction(() => {
        // What the other tables' foreign keys would do, done by hand (one level deep).
        for (const k of references) {
          const ids = idsOfDataset[k.parent]
          if (k.action === 'CASCADE') this.db.prepare(`DELETE FROM "${k.table}" WHERE "${k.column}" IN (${ids})`).run(id)
          else if (k.action === 'SET NULL') this.db.prepare(`UPDATE "${k.table}" SET "${k.column}" = NULL WHERE "${k.column}" IN (${ids})`).run(id)
        }
        this.deleteRows(id)
        this.db.prepare('DELETE FROM dataset_counts WHERE dataset_id = ?').run(id)
        this.db.prepare('DELETE FROM datasets WHERE id = ?').run(id)
        for (const table of new Set(references.map((k) => k.table))) {
          if ((this.db.pragma(`foreign_key_check("${table}")`) as unknown[]).length > 0) throw new FallBack()
        }
        return true
      })()
    } catch (error) {
      if (error instanceof FallBack) return false
      throw error
    } finally {
      this.db.pragma('foreign_keys = ON')
    }
  }
}

interface ForeignKey {
  table: string
  parent: string
  column: string
  action: string
}

/** The ids of each kind of row a dataset owns, as a subquery on the dataset's id. */
const idsOfDataset: Record<string, string> = {
  datasets: 'SELECT ?',
  prompts: 'SELECT id FROM prompts WHERE dataset_id = ?',
  responses: 'SELECT r.id FROM responses r JOIN prompts p ON p.id = r.prompt_id WHERE p.dataset_id = ?',
  comparisons: 'SELECT id FROM comparisons WHERE dataset_id = ?',
  feedback: 'SELECT id FROM feedback WHERE dataset_id = ?',
}

/** Thrown inside the fast delete's transaction to roll it back and take the checked path. */
class FallBack extends Error {}
