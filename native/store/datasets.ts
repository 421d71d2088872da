import type { ComparisonRow, DatasetSummary, Outcome, RowPage } from '../api/contract'
import { NashlabError } from '../api/errors'
import type { Db } from './db'

interface DatasetRecord {
  id: number
  name: string
  description: string
  created_at: string
}

/** Datasets and their rows: prompts, responses and comparisons. */
export class DatasetRepository {
  constructor(private readonly db: Db) {}

  list(): DatasetSummary[] {
    const rows = this.db.prepare('SELECT * FROM datasets ORDER BY name').all() as DatasetRecord[]
    return rows.map((r) => this.summarize(r))
  }

  find(name: string): DatasetSummary | undefined {
    const row = this.db.prepare('SELECT * FROM datasets WHERE name = ?').get(name) as DatasetRecord | undefined
    return row && this.summarize(row)
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

  delete(name: string): void {
    const info = this.db.prepare('DELETE FROM datasets WHERE name = ?').run(name)
    if (info.changes === 0) throw new NashlabError('not_found', `There is no dataset named "${name}".`, { dataset: name })
  }

  comparisons(name: string, offset: number, limit: number): RowPage<ComparisonRow> {
    const dataset = this.get(name)
    const rows = this.db
      .prepare(
        `SELECT c.id, p.text AS prompt, ra.text AS responseA, rb.text AS responseB, c.outcome, c.annotator,
                c.source, c.shown_left AS shownLeft, c.created_at AS createdAt
           FROM comparisons c
           JOIN prompts p ON p.id = c.prompt_id
           JOIN responses ra ON ra.id = c.response_a
           JOIN responses rb ON rb.id = c.response_b
          WHERE c.dataset_id = ?
          ORDER BY c.id
          LIMIT ? OFFSET ?`,
      )
      .all(dataset.id, limit, offset) as ComparisonRow[]
    return { rows, total: dataset.comparisons, offset, limit }
  }

  private summarize(r: DatasetRecord): DatasetSummary {
    const count = (sql: string) => (this.db.prepare(sql).get(r.id) as { n: number }).n
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      createdAt: r.created_at,
      prompts: count('SELECT count(*) AS n FROM prompts WHERE dataset_id = ?'),
      responses: count('SELECT count(*) AS n FROM responses r JOIN prompts p ON p.id = r.prompt_id WHERE p.dataset_id = ?'),
      comparisons: count('SELECT count(*) AS n FROM comparisons WHERE dataset_id = ?'),
    }
  }
}

export interface NewComparison {
  prompt: string
  a: string
  b: string
  outcome: Outcome
  annotator?: string | null
  source?: string
  shownLeft?: 'a' | 'b' | null
}

/**
 * Batched writer for imports: interns prompts and responses per dataset and inserts comparisons.
 * The caller owns the transaction (an import is all or nothing).
 */
export class ComparisonWriter {
  private readonly insertPrompt
  private readonly selectPrompt
  private readonly insertResponse
  private readonly selectResponse
  private readonly insertComparison
  private readonly existsComparison
  private readonly promptIds = new Map<string, number>()
  counts = { prompts: 0, responses: 0, comparisons: 0, duplicates: 0 }

  constructor(
    db: Db,
    private readonly datasetId: number,
  ) {
    this.insertPrompt = db.prepare('INSERT INTO prompts (dataset_id, text) VALUES (?, ?) ON CONFLICT DO NOTHING')
    this.selectPrompt = db.prepare('SELECT id FROM prompts WHERE dataset_id = ? AND text = ?').pluck()
    this.insertResponse = db.prepare('INSERT INTO responses (prompt_id, text, source) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
    this.selectResponse = db.prepare('SELECT id FROM responses WHERE prompt_id = ? AND text = ?').pluck()
    this.insertComparison = db.prepare(
      'INSERT INTO comparisons (dataset_id, prompt_id, response_a, response_b, outcome, annotator, source, shown_left) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
    this.existsComparison = db
      .prepare('SELECT 1 FROM comparisons WHERE dataset_id = ? AND prompt_id = ? AND response_a = ? AND response_b = ? LIMIT 1')
      .pluck()
  }

  prompt(text: string): number {
    const cached = this.promptIds.get(text)
    if (cached !== undefined) return cached
    if (this.insertPrompt.run(this.datasetId, text).changes > 0) this.counts.prompts++
    const id = this.selectPrompt.get(this.datasetId, text) as number
    if (this.promptIds.size > 100_000) this.promptIds.clear()
    this.promptIds.set(text, id)
    return id
  }

  response(promptId: number, text: string, source = 'import'): number {
    if (this.insertResponse.run(promptId, text, source).changes > 0) this.counts.responses++
    return this.selectResponse.get(promptId, text) as number
  }

  add(c: NewComparison): number {
    const promptId = this.prompt(c.prompt)
    const source = c.source ?? 'import'
    const a = this.response(promptId, c.a, source)
    const b = this.response(promptId, c.b, source)
    if (this.existsComparison.get(this.datasetId, promptId, a, b)) this.counts.duplicates++
    const info = this.insertComparison.run(this.datasetId, promptId, a, b, c.outcome, c.annotator ?? null, source, c.shownLeft ?? null)
    this.counts.comparisons++
    return Number(info.lastInsertRowid)
  }
}
