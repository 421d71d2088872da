import type { Db } from './db'

export type SearchIndexName = 'comparison_search' | 'feedback_search'

/** How each index reads the texts of rows above its mark. */
const sources: Record<SearchIndexName, { table: string; insert: string }> = {
  comparison_search: {
    table: 'comparisons',
    insert: `INSERT INTO comparison_search (rowid, prompt, a, b)
             SELECT c.id, p.text, ra.text, rb.text
               FROM comparisons c
               JOIN prompts p ON p.id = c.prompt_id
               JOIN responses ra ON ra.id = c.response_a
               JOIN responses rb ON rb.id = c.response_b
              WHERE c.id > ? AND c.id <= ?`,
  },
  feedback_search: {
    table: 'feedback',
    insert: `INSERT INTO feedback_search (rowid, prompt, completion)
             SELECT f.id, p.text, r.text
               FROM feedback f
               JOIN prompts p ON p.id = f.prompt_id
               JOIN responses r ON r.id = f.response_id
              WHERE f.id > ? AND f.id <= ?`,
  },
}

/** Rows indexed per chunk; a step takes chunks until its time is up. */
const stepRows = 500

/**
 * Builds the full-text indexes behind imports, in small transactions: each step takes the next
 * rows above the index's mark, tokenizes them into FTS5 and moves the mark, atomically. Rows at or
 * below the mark are kept in step by triggers (deletes, restores by undo), so the index is always
 * exact for the rows it covers; rows above it are simply not searchable yet.
 */
export class SearchIndexer {
  constructor(private readonly db: Db) {}

  mark(name: SearchIndexName): number {
    return this.db.prepare('SELECT indexed_upto FROM search_index_state WHERE name = ?').pluck().get(name) as number
  }

  /** Rows not indexed yet. */
  pending(name: SearchIndexName): number {
    return this.db.prepare(`SELECT count(*) FROM ${sources[name].table} WHERE id > ?`).pluck().get(this.mark(name)) as number
  }

  /** Rows of one dataset that searches cover, and all its rows; null when it is all covered. */
  coverage(name: SearchIndexName, datasetId: number): { indexed: number; total: number } | null {
    const table = sources[name].table
    const mark = this.mark(name)
    const highest = this.db.prepare(`SELECT max(id) FROM ${table} WHERE dataset_id = ?`).pluck().get(datasetId) as number | null
    if (highest === null || highest <= mark) return null
    const total = this.db.prepare(`SELECT count(*) FROM ${table} WHERE dataset_id = ?`).pluck().get(datasetId) as number
    const above = this.db.prepare(`SELECT count(*) FROM ${table} WHERE dataset_id = ? AND id > ?`).pluck().get(datasetId, mark) as number
    return { indexed: total - above, total }
  }

  /**
   * Index rows above the mark for about `budgetMs` milliseconds (at least one chunk of 500 rows),
   * in one transaction: FTS5 writes its pending terms as a new segment at every commit, so fewer,
   * larger commits cost less merging (the background uses tens of milliseconds so the engine stays
   * responsive; a foreground build, seconds). Returns how many rows were indexed and whether any
   * remain.
   */
  step(name: SearchIndexName, budgetMs: number): { indexed: number; done: boolean } {
    const { table, insert } = sources[name]
    const next = this.db.prepare(`SELECT max(id) FROM (SELECT id FROM ${table} WHERE id > ? ORDER BY id LIMIT ${stepRows})`).pluck()
    const fill = this.db.prepare(insert)
    const move = this.db.prepare('UPDATE search_index_state SET indexed_upto = ? WHERE name = ?')
    const started = performance.now()
    return this.db.transaction(() => {
      let indexed = 0
      for (;;) {
        const mark = this.mark(name)
        const upto = next.get(mark) as number | null
        if (upto === null) return { indexed, done: true }
        indexed += fill.run(mark, upto).changes
        move.run(upto, name)
        if (performance.now() - started >= budgetMs) return { indexed, done: false }
      }
    })()
  }
}
