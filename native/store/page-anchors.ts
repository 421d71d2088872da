import type { Db } from './db'

/** One anchor every this many rows: a page starts at most this many index entries past one. */
export const anchorSpacing = 1000

/** The kinds of a dataset's rows that pages walk, each indexed on `(dataset_id, id)`. */
export type PagedTable = 'comparisons' | 'feedback' | 'prompts'

/** The `dataset_counts` column that counts the moves breaking each table's notes (migrations 005, 006). */
const orderVersionColumns: Record<PagedTable, string> = {
  comparisons: 'order_version',
  feedback: 'feedback_order_version',
  prompts: 'prompts_order_version',
}

/**
 * A part of a dataset's rows that pages walk (a filter): its SQL condition on the table as `c`,
 * the condition's named parameters, and a key that tells one part from another.
 */
export interface PageScope {
  key: string
  where: string
  params: Record<string, unknown>
}

/** A scope of all the rows, for reading the filtered notes' version. */
const everyRow: PageScope = { key: '', where: '1', params: {} }

/** Rows of a dataset whose positions are known: `ranks[i]` rows of the dataset have ids below `ids[i]`. */
interface Anchors {
  /** The dataset's version (see `version`) these positions hold for. */
  version: string
  ids: number[]
  ranks: number[]
  /** Whether the notes reach the dataset's last rows (no anchor lies beyond the last one). */
  complete: boolean
  /** The part of the dataset's rows noted, for a filter's notes. */
  scope?: PageScope
}

/** The columns of a comparison that filters select on. */
export interface FilteredColumns {
  outcome: string
  flagged: number
  annotator: string | null
}

/**
 * One comparison an edit changed: its filtered columns before and after the edit, null where it
 * was not (deleted, not yet restored) or is no longer in the dataset.
 */
export interface RowChange {
  id: number
  was: FilteredColumns | null
  now: FilteredColumns | null
}

/** A dataset's versions for the notes of all its rows and for a filter's notes, read together. */
export interface AnchorVersions {
  rows: string
  filtered: string
}

/**
 * Where the row at a given position of a dataset is, once deletes have broken its ids' unbroken
 * run (SQLite has no rank lookup in an index, so `LIMIT … OFFSET n` walks n index entries: 45–85
 * ms half-way into a million rows). The position of every thousandth row is noted in one walk of
 * the dataset's index, as deep as pages have gone; a page then starts from the nearest noted row
 * below it, about a thousand entries on at most, whatever its depth.
 *
 * One instance notes the rows of one table (comparisons, feedback or prompts). The notes hold
 * while the dataset's order version for that table does (see migrations 005 and 006: rows
 * appended later never shift older ones), and a filter's notes while its filtered columns' version
 * does too. The engine's own curation of comparisons keeps both in step without a walk: after an
 * edit or an undo commits, `shift` moves each note by the rows that left or joined its part of the
 * dataset below it. Anything else that moves rows (another connection, a rolled-back edit) leaves
 * the version different from the notes', and the next page walks the index again.
 */
export class PageAnchors {
  /** By dataset id, and for a scope by dataset id and the scope's key. */
  private readonly byDataset = new Map<string, Anchors>()

  constructor(
    private readonly db: Db,
    readonly table: PagedTable = 'comparisons',
  ) {}

  /**
   * The dataset's order version for this table, with its creation time: a dataset deleted
   * elsewhere and made again under the same id starts at version 0 again, and must not inherit
   * the old one's notes. A scope's notes also move with the filtered columns (`filter_version`,
   * comparisons only).
   */
  version(datasetId: number, scope?: PageScope): string {
    const filter = scope ? 'n.filter_version' : '0'
    const row = this.db
      .prepare(
        `SELECT n.${orderVersionColumns[this.table]} AS version, ${filter} AS filter, d.created_at AS created
           FROM datasets d JOIN dataset_counts n ON n.dataset_id = d.id WHERE d.id = ?`,
      )
      .get(datasetId) as { version: number; filter: number; created: string } | undefined
    return row ? `${row.version}.${row.filter}@${row.created}` : ''
  }

  /**
   * Where to start reading the row at position `offset` (0-based): the first id at or above `from`
   * in the dataset's id order, then `skip` rows on (fewer than about two anchors' spacing). With a
   * scope, positions and rows are those of the scope's rows.
   */
  locate(datasetId: number, offset: number, scope?: PageScope): { from: number; skip: number } {
    // One read transaction: the version and any walk see the same rows.
    return this.db.transaction(() => {
      const anchors = this.current(datasetId, scope)
      this.extend(datasetId, anchors, offset, scope)
      const found = lastAtOrBelow(anchors.ranks, offset)
      if (found === -1) return { from: 0, skip: offset }
      return { from: anchors.ids[found], skip: offset - anchors.ranks[found] }
    })()
  }

  /** The dataset's versions for all its rows' notes and for filters' notes (see `version`). */
  versions(datasetId: number): AnchorVersions {
    return { rows: this.version(datasetId), filtered: this.version(datasetId, everyRow) }
  }

  /**
   * After the engine's own edit committed, moving the dataset's versions from `before` to
   * `after`: each changed row left the notes' part of the dataset (all its rows, or a filter's)
   * when it was in it and no longer is, and joined it the other way round. Notes made at `before`
   * move by the rows that left or joined below each noted row; any others are dropped (the next
   * page walks afresh). A filter's membership is its own condition, evaluated on the row's
   * columns before and after.
   */
  shift(datasetId: number, before: AnchorVersions, after: AnchorVersions, changes: RowChange[]): void {
    const prefix = `${datasetId}|`
    for (const [key, anchors] of this.byDataset) {
      if (key !== String(datasetId) && !key.startsWith(prefix)) continue
      const scope = anchors.scope
      if (anchors.version !== (scope ? before.filtered : before.rows)) {
        this.byDataset.delete(key)
        continue
      }
      const inPart = scope ? this.members(datasetId, scope, changes) : null
      const left: number[] = []
      const joined: number[] = []
      for (const change of changes) {
        const was = change.was !== null && (!inPart || inPart.was.has(change.id))
        const now = change.now !== null && (!inPart || inPart.now.has(change.id))
        if (was && !now) left.push(change.id)
        else if (now && !was) joined.push(change.id)
      }
      this.byDataset.set(key, { ...moved(anchors, left, joined), version: scope ? after.filtered : after.rows })
    }
  }

  /** Which changed rows a filter selected before the edit and selects after it, by its own condition on their columns. */
  private members(datasetId: number, scope: PageScope, changes: RowChange[]): { was: Set<number>; now: Set<number> } {
    const select = this.db
      .prepare(
        `SELECT c.id FROM (SELECT value ->> 'id' AS id, value ->> 'outcome' AS outcome, value ->> 'flagged' AS flagged,
                                  value ->> 'annotator' AS annotator, @dataset AS dataset_id FROM json_each(@rows)) c
          WHERE ${scope.where}`,
      )
      .pluck()
    const of = (side: 'was' | 'now') => {
      const rows = changes.flatMap((c) => (c[side] ? [{ id: c.id, ...c[side] }] : []))
      return new Set(rows.length === 0 ? [] : (select.all({ ...scope.params, dataset: datasetId, rows: JSON.stringify(rows) }) as number[]))
    }
    return { was: of('was'), now: of('now') }
  }

  /** The notes for the dataset's (or scope's) current version; empty when they are missing or stale. */
  private current(datasetId: number, scope?: PageScope): Anchors {
    const version = this.version(datasetId, scope)
    const key = scope ? `${datasetId}|${scope.key}` : String(datasetId)
    const known = this.byDataset.get(key)
    if (known && known.version === version) return known
    const fresh: Anchors = { version, ids: [], ranks: [], complete: false, ...(scope ? { scope } : {}) }
    this.byDataset.set(key, fresh)
    return fresh
  }

  /**
   * Note anchors on from the last one until one lies within a spacing of `offset` (or the rows
   * end): each a probe `anchorSpacing` entries on, so a walk costs what one offset walk to that
   * depth costs, once; the rows before it are never walked again.
   */
  private extend(datasetId: number, anchors: Anchors, offset: number, scope?: PageScope): void {
    // Every row noted already (or none to note: a filter that selects nothing is walked once).
    if (anchors.complete) return
    const where = `c.dataset_id = @dataset${scope ? ` AND ${scope.where}` : ''}`
    const params = { ...scope?.params, dataset: datasetId }
    if (anchors.ids.length === 0) {
      // The first in id order (not min(), which a condition beside the dataset turns into a scan of all its rows).
      const first = this.db.prepare(`SELECT c.id FROM ${this.table} c WHERE ${where} ORDER BY c.id LIMIT 1`).pluck().get(params) as number | undefined
      if (first === undefined) {
        anchors.complete = true
        return
      }
      anchors.ids.push(first)
      anchors.ranks.push(0)
    }
    const next = this.db.prepare(`SELECT c.id FROM ${this.table} c WHERE ${where} AND c.id > @after ORDER BY c.id LIMIT 1 OFFSET ${anchorSpacing - 1}`).pluck()
    while (!anchors.complete && anchors.ranks[anchors.ranks.length - 1] + anchorSpacing <= offset) {
      const last = anchors.ids.length - 1
      const id = next.get({ ...params, after: anchors.ids[last] }) as number | undefined
      if (id === undefined) anchors.complete = true
      else {
        anchors.ids.push(id)
        anchors.ranks.push(anchors.ranks[last] + anchorSpacing)
      }
    }
  }
}

/**
 * Notes moved by rows that left (`left`) or joined (`joined`) the noted part below each noted
 * row. A row that left can anchor nothing; its neighbours' anchors still bound every page. Notes
 * left with no anchor at all are walked again from the first row.
 */
function moved(anchors: Anchors, left: number[], joined: number[]): Anchors {
  const removed = [...left].sort((a, b) => a - b)
  const restored = [...joined].sort((a, b) => a - b)
  const gone = new Set(removed)
  const ids: number[] = []
  const ranks: number[] = []
  anchors.ids.forEach((id, i) => {
    if (gone.has(id)) return
    ids.push(id)
    ranks.push(anchors.ranks[i] - countBelow(removed, id) + countBelow(restored, id))
  })
  return { ...anchors, ids, ranks, complete: anchors.complete && ids.length > 0 }
}

/** The index of the last of the increasing `values` at or below `x`; -1 when none is. */
function lastAtOrBelow(values: number[], x: number): number {
  let low = 0
  let high = values.length - 1
  let found = -1
  while (low <= high) {
    const mid = (low + high) >> 1
    if (values[mid] <= x) {
      found = mid
      low = mid + 1
    } else high = mid - 1
  }
  return found
}

/** How many of the sorted `values` are below `x`. */
function countBelow(values: number[], x: number): number {
  let low = 0
  let high = values.length
  while (low < high) {
    const mid = (low + high) >> 1
    if (values[mid] < x) low = mid + 1
    else high = mid
  }
  return low
}
