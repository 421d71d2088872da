import type { EditSummary, Outcome } from '../api/contract'
import { NashlabError } from '../api/errors'
import type { Db } from './db'
import type { AnchorVersions, FilteredColumns, PageAnchors, RowChange } from './page-anchors'

type Action = EditSummary['action']

interface StoredComparison {
  id: number
  dataset_id: number
  prompt_id: number
  response_a: number
  response_b: number
  outcome: Outcome
  annotator: string | null
  source: string
  shown_left: 'a' | 'b' | null
  flagged: number
  created_at: string
}

interface EditRecord {
  id: number
  batch: number
  comparison_id: number
  action: Action
  before: string
  after: string
  created_at: string
}

const outcomeWords: Record<Outcome, string> = { a: 'a wins', b: 'b wins', tie: 'tie', both_bad: 'both bad' }

/**
 * Curation edits of comparisons with an undo log. Every action writes, in the same transaction as
 * the change, one `dataset_edits` record per comparison it changed, holding the values before the
 * change (the whole row for a delete); records of one action share a batch. Undo reverts the
 * newest batch not yet undone, restoring deleted rows with their ids, and marks it undone. Edits
 * that change nothing (an outcome set to what it was) are not logged. Once an edit commits, it
 * moves the page anchors (when given), the dataset's and its filters', by the rows it took out,
 * put back, or moved into or out of a filter.
 */
export class DatasetEdits {
  constructor(
    private readonly db: Db,
    private readonly anchors?: PageAnchors,
  ) {}

  setOutcome(datasetId: number, ids: number[], outcome: Outcome): EditSummary | null {
    return this.reordering(datasetId, () => ids, () =>
      this.apply(datasetId, ids, 'outcome', (row) => {
        if (row.outcome === outcome) return null
        this.db.prepare('UPDATE comparisons SET outcome = ? WHERE id = ?').run(outcome, row.id)
        return { before: { outcome: row.outcome }, after: { outcome } }
      }),
    )
  }

  flag(datasetId: number, ids: number[], flagged: boolean): EditSummary | null {
    const value = flagged ? 1 : 0
    return this.reordering(datasetId, () => ids, () =>
      this.apply(datasetId, ids, 'flag', (row) => {
        if (row.flagged === value) return null
        this.db.prepare('UPDATE comparisons SET flagged = ? WHERE id = ?').run(value, row.id)
        return { before: { flagged: row.flagged }, after: { flagged: value } }
      }),
    )
  }

  delete(datasetId: number, ids: number[]): EditSummary | null {
    return this.reordering(datasetId, () => ids, () =>
      this.apply(datasetId, ids, 'delete', (row) => {
        this.db.prepare('DELETE FROM comparisons WHERE id = ?').run(row.id)
        return { before: row, after: {} }
      }),
    )
  }

  /** Revert the newest batch not yet undone; null when there is nothing to undo. */
  undo(datasetId: number): EditSummary | null {
    const newest = () =>
      this.db
        .prepare('SELECT comparison_id FROM dataset_edits WHERE dataset_id = ? AND batch = (SELECT max(batch) FROM dataset_edits WHERE dataset_id = ? AND undone_at IS NULL)')
        .pluck()
        .all(datasetId, datasetId) as number[]
    return this.reordering(datasetId, newest, () => this.revert(datasetId))
  }

  /**
   * Run `work` in a transaction, noting the dataset's page versions and the filtered columns of
   * the rows it may change (`ids`, read in the transaction) before and after it; once it has
   * committed, move the page anchors, the dataset's and its filters', by the rows that left or
   * joined each (see PageAnchors.shift). Inside a caller's transaction (which may still roll
   * back) the anchors are left alone: the version they hold then no longer matches, and the next
   * page notes positions afresh.
   */
  private reordering(datasetId: number, ids: () => number[], work: () => EditSummary | null): EditSummary | null {
    const anchors = this.anchors
    if (!anchors || this.db.inTransaction) return work()
    let before: AnchorVersions = { rows: '', filtered: '' }
    let after: AnchorVersions = before
    let changes: RowChange[] = []
    const edit = this.db.transaction(() => {
      const touched = [...new Set(ids())]
      before = anchors.versions(datasetId)
      const was = this.filteredColumns(datasetId, touched)
      const done = work()
      after = anchors.versions(datasetId)
      const now = this.filteredColumns(datasetId, touched)
      changes = touched.map((id) => ({ id, was: was.get(id) ?? null, now: now.get(id) ?? null }))
      return done
    })()
    if (edit) anchors.shift(datasetId, before, after, changes)
    return edit
  }

  /** The filtered columns of those of `ids` that are the dataset's comparisons. */
  private filteredColumns(datasetId: number, ids: number[]): Map<number, FilteredColumns> {
    const rows = this.db
      .prepare('SELECT id, outcome, flagged, annotator FROM comparisons WHERE dataset_id = ? AND id IN (SELECT value FROM json_each(?))')
      .all(datasetId, JSON.stringify(ids)) as (FilteredColumns & { id: number })[]
    return new Map(rows.map(({ id, ...columns }) => [id, columns]))
  }

  private revert(datasetId: number): EditSummary | null {
    return this.db.transaction(() => {
      const batch = this.db
        .prepare('SELECT max(batch) FROM dataset_edits WHERE dataset_id = ? AND undone_at IS NULL')
        .pluck()
        .get(datasetId) as number | null
      if (batch === null) return null
      const edits = this.db.prepare('SELECT * FROM dataset_edits WHERE dataset_id = ? AND batch = ? ORDER BY id DESC').all(datasetId, batch) as EditRecord[]
      for (const edit of edits) {
        const before = JSON.parse(edit.before)
        if (edit.action === 'outcome') this.db.prepare('UPDATE comparisons SET outcome = ? WHERE id = ?').run(before.outcome, edit.comparison_id)
        else if (edit.action === 'flag') this.db.prepare('UPDATE comparisons SET flagged = ? WHERE id = ?').run(before.flagged, edit.comparison_id)
        else this.restore(before as StoredComparison)
      }
      this.db.prepare("UPDATE dataset_edits SET undone_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE dataset_id = ? AND batch = ?").run(datasetId, batch)
      return summarize(edits.reverse())
    })()
  }

  /** The newest edits that can still be undone, newest first, one entry per batch. */
  recent(datasetId: number, limit: number): EditSummary[] {
    const batches = this.db
      .prepare('SELECT DISTINCT batch FROM dataset_edits WHERE dataset_id = ? AND undone_at IS NULL ORDER BY batch DESC LIMIT ?')
      .pluck()
      .all(datasetId, limit) as number[]
    const select = this.db.prepare('SELECT * FROM dataset_edits WHERE dataset_id = ? AND batch = ? ORDER BY id')
    return batches.map((b) => summarize(select.all(datasetId, b) as EditRecord[]))
  }

  undoable(datasetId: number): number {
    return this.db.prepare('SELECT count(DISTINCT batch) FROM dataset_edits WHERE dataset_id = ? AND undone_at IS NULL').pluck().get(datasetId) as number
  }

  private apply(datasetId: number, ids: number[], action: Action, change: (row: StoredComparison) => { before: unknown; after: unknown } | null): EditSummary | null {
    return this.db.transaction(() => {
      const unique = [...new Set(ids)]
      const rows = this.db
        .prepare('SELECT * FROM comparisons WHERE dataset_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id')
        .all(datasetId, JSON.stringify(unique)) as StoredComparison[]
      if (rows.length !== unique.length) {
        const found = new Set(rows.map((r) => r.id))
        const missing = unique.filter((id) => !found.has(id))
        throw new NashlabError('not_found', `This dataset has no comparison ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}. Nothing was changed.`, { comparisons: missing })
      }
      const batch = ((this.db.prepare('SELECT max(batch) FROM dataset_edits WHERE dataset_id = ?').pluck().get(datasetId) as number | null) ?? 0) + 1
      const log = this.db.prepare('INSERT INTO dataset_edits (dataset_id, batch, comparison_id, action, before, after) VALUES (?, ?, ?, ?, ?, ?)')
      const written: EditRecord[] = []
      for (const row of rows) {
        const edit = change(row)
        if (!edit) continue
        const before = JSON.stringify(edit.before)
        const after = JSON.stringify(edit.after)
        const info = log.run(datasetId, batch, row.id, action, before, after)
        written.push({ id: Number(info.lastInsertRowid), batch, comparison_id: row.id, action, before, after, created_at: new Date().toISOString() })
      }
      return written.length > 0 ? summarize(written) : null
    })()
  }

  /** Put a deleted comparison back with its id, and back in the search index when the index had passed it. */
  private restore(row: StoredComparison) {
    try {
      this.db
        .prepare(
          `INSERT INTO comparisons (id, dataset_id, prompt_id, response_a, response_b, outcome, annotator, source, shown_left, flagged, created_at)
           VALUES (@id, @dataset_id, @prompt_id, @response_a, @response_b, @outcome, @annotator, @source, @shown_left, @flagged, @created_at)`,
        )
        .run(row)
    } catch (error) {
      throw new NashlabError('conflict', `Comparison ${row.id} cannot be restored: ${(error as Error).message}. Nothing was undone.`, { comparison: row.id })
    }
    // An old id back among newer ones shifts the rows after it (see migration 005).
    this.db.prepare('UPDATE dataset_counts SET order_version = order_version + 1 WHERE dataset_id = ?').run(row.dataset_id)
    this.db
      .prepare(
        `INSERT INTO comparison_search (rowid, prompt, a, b)
         SELECT c.id, p.text, ra.text, rb.text
           FROM comparisons c
           JOIN prompts p ON p.id = c.prompt_id
           JOIN responses ra ON ra.id = c.response_a
           JOIN responses rb ON rb.id = c.response_b
          WHERE c.id = ? AND c.id <= (SELECT indexed_upto FROM search_index_state WHERE name = 'comparison_search')`,
      )
      .run(row.id)
  }
}

function summarize(edits: EditRecord[]): EditSummary {
  const first = edits[0]
  const ids = edits.map((e) => e.comparison_id)
  const which = ids.length === 1 ? `comparison ${ids[0]}` : `${ids.length} comparisons`
  const after = JSON.parse(first.after) as { outcome?: Outcome; flagged?: number }
  const description =
    first.action === 'outcome'
      ? `Changed the outcome of ${which} to ${outcomeWords[after.outcome as Outcome]}.`
      : first.action === 'flag'
        ? `${after.flagged ? 'Flagged' : 'Unflagged'} ${which}.`
        : `Deleted ${which}.`
  return { batch: first.batch, action: first.action, comparisons: ids, createdAt: first.created_at, description }
}
