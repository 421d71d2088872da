import type { ComparisonDetail, ComparisonRow, FeedbackRow, Outcome, PromptRow, RowPage } from '../api/contract'
import { NashlabError } from '../api/errors'
import type { Db } from './db'
import { PageAnchors, type PagedTable } from './page-anchors'

/** One row as an export reads it (the fields its kind has). */
export interface ExportRow {
  id: number
  prompt: string
  promptMessages: string | null
  a?: string
  aMessages?: string | null
  b?: string
  bMessages?: string | null
  outcome?: Outcome
  label?: 0 | 1
  annotator?: string | null
  flagged: number
}

export interface ComparisonFilter {
  query?: string
  flagged?: boolean
  outcome?: Outcome
  /** '' selects judgements without an annotator. */
  annotator?: string
}

/**
 * Where a page starts when the client names a row next to it (keyset paging): `after` the id of
 * the last row of the previous page, or `before` the id of the first row of the next one. The
 * page is then read from there, not walked to from the first row; its `offset` only numbers it.
 */
export interface PageCursor {
  after?: number
  before?: number
}

/**
 * Searches count their matches up to this many beyond the page's end, and say when there are more
 * (counting every match of a common word over a million rows would cost more than the page).
 */
export const searchCountAhead = 1000

/** Each outcome as it is written in SQL (from this table only, never from the input). */
const outcomeLiterals: Record<Outcome, string> = { a: 'a', b: 'b', tie: 'tie', both_bad: 'both_bad' }

const comparisonColumns = `c.id, p.text AS prompt, ra.text AS responseA, rb.text AS responseB, c.outcome, c.annotator,
       c.source, c.shown_left AS shownLeft, c.flagged, c.created_at AS createdAt`
const comparisonJoins = `FROM comparisons c
  JOIN prompts p ON p.id = c.prompt_id
  JOIN responses ra ON ra.id = c.response_a
  JOIN responses rb ON rb.id = c.response_b`

type Raw<T> = Omit<T, 'flagged'> & { flagged: number }
const withFlag = <T extends { flagged: boolean }>(r: Raw<T>): T => ({ ...r, flagged: r.flagged === 1 }) as T

/**
 * Pages of a dataset's rows for the browser. Pages are picked by id first (an index-only walk of
 * `comparisons(dataset_id, id)`) and only the page's rows are joined to their texts, so a page deep
 * into a million rows costs the walk, not a million joins. Searches go through the contentless
 * FTS5 index in rowid order, limited to the dataset's id range, and stop at the page's end; the
 * CROSS JOINs keep the index as the outer loop (left to itself, the planner walks the dataset's
 * rows and probes the index once per row, which is thousands of times slower). Once deletes have
 * broken a dataset's ids' unbroken run, a page starts from the nearest row whose position the
 * anchors know (see page-anchors.ts) instead of walking every row before it. Feedback and prompts
 * page the same way, each through its own `(dataset_id, id)` index and anchors. A page that names
 * the row beside it (a cursor: the browser's next and previous pages) is read from that row, a
 * search's too, so it costs what the first page does at any depth.
 */
export class DatasetRows {
  private readonly anchors: Record<PagedTable, PageAnchors>

  /** `anchors`: the comparisons' notes, shared with the curation that shifts them (DatasetEdits). */
  constructor(
    private readonly db: Db,
    anchors = new PageAnchors(db),
  ) {
    this.anchors = { comparisons: anchors, feedback: new PageAnchors(db, 'feedback'), prompts: new PageAnchors(db, 'prompts') }
  }

  comparisons(datasetId: number, total: number, offset: number, limit: number, filter: ComparisonFilter = {}, cursor: PageCursor = {}): RowPage<ComparisonRow> {
    const started = performance.now()
    const conditions: string[] = ['c.dataset_id = @dataset']
    const params: Record<string, unknown> = { dataset: datasetId, limit, offset }
    // The flag and the outcome as literals, so that SQLite can use the partial indexes of the
    // flagged rows, the ties, the both-bad ones and the B wins (migration 007).
    if (filter.flagged !== undefined) conditions.push(`c.flagged = ${filter.flagged ? 1 : 0}`)
    if (filter.outcome !== undefined) conditions.push(`c.outcome = '${outcomeLiterals[filter.outcome]}'`)
    if (filter.annotator !== undefined) {
      conditions.push(filter.annotator === '' ? 'c.annotator IS NULL' : 'c.annotator = @annotator')
      if (filter.annotator !== '') params.annotator = filter.annotator
    }
    const query = filter.query?.trim()
    let ids: number[]
    let count: number
    let capped = false
    if (query) {
      const { limit: _limit, offset: _offset, ...bound } = params
      const page = this.searchIds('comparisons', datasetId, query, conditions.join(' AND '), bound, offset, limit, cursor)
      ids = page.ids
      offset = page.offset
      capped = page.capped
      count = page.count
    } else {
      const where = conditions.join(' AND ')
      count = conditions.length === 1 ? total : this.keptCount(datasetId, filter)
      const keyset = this.keysetIds('comparisons', where, params, limit, cursor)
      if (keyset) {
        ids = keyset.ids
        offset = keyset.offset ?? offset
      } else if (conditions.length === 1) {
        ids = this.pageIds('comparisons', datasetId, total, offset, limit)
      } else if (offset >= count) {
        // Past the kept count's end (none flagged, say) there is nothing to walk to.
        ids = []
      } else {
        // A filter: pages start from the filtered rows' own anchors, known by the filter's
        // conditions and values ("no annotator" binds no value, so the values alone would not do).
        const { dataset: _dataset, limit: _limit, offset: _offset, ...filterParams } = params
        const scopeWhere = conditions.slice(1).join(' AND ')
        const scope = { key: JSON.stringify([scopeWhere, filterParams]), where: scopeWhere, params: filterParams }
        const { from, skip } = this.anchors.comparisons.locate(datasetId, offset, scope)
        ids = this.db
          .prepare(`SELECT c.id FROM comparisons c WHERE ${where} AND c.id >= @from ORDER BY c.id LIMIT @limit OFFSET @skip`)
          .pluck()
          .all({ ...params, from, skip }) as number[]
      }
    }
    const rows = this.byIds(ids)
    return {
      rows,
      total: count,
      offset,
      limit,
      ...(query ? { query } : {}),
      ...(capped ? { totalIsLowerBound: true } : {}),
      elapsedMs: Math.round((performance.now() - started) * 10) / 10,
    }
  }

  /**
   * A search page of `table`'s rows (as `c`) that also satisfy `where`: its FTS5 index in rowid
   * order, limited to the dataset's id range (see searchPage); a query that is not valid FTS5
   * syntax is searched for literally.
   */
  private searchIds(table: 'comparisons' | 'feedback', datasetId: number, query: string, where: string, params: Record<string, unknown>, offset: number, limit: number, cursor: PageCursor) {
    const index = table === 'comparisons' ? 'comparison_search' : 'feedback_search'
    const from = `FROM ${index} s CROSS JOIN ${table} c ON c.id = s.rowid
      WHERE ${index} MATCH @match AND s.rowid BETWEEN @low AND @high AND ${where}`
    const range = this.idRange(table, datasetId)
    return withFallback(query, (match) =>
      searchPage(
        (w) => this.db.prepare(`SELECT s.rowid ${from} ORDER BY s.rowid ${w.descending ? 'DESC' : ''} LIMIT ${w.take}`).pluck().all({ ...params, match, low: w.low, high: w.high }) as number[],
        range,
        offset,
        limit,
        cursor,
      ),
    )
  }

  /**
   * A page after (or before) a cursor, in id order: the rows of `where` (on the table as `c`)
   * just past the cursor's id, read through the `(dataset_id, id)` index from there, so the
   * page costs the same at any depth. Null without a cursor. Before a cursor with fewer than
   * `limit` rows ahead of it, the page is the first one (offset 0).
   */
  private keysetIds(table: PagedTable, where: string, params: Record<string, unknown>, limit: number, cursor: PageCursor): { ids: number[]; offset?: number } | null {
    const { offset: _offset, ...bound } = params
    if (cursor.after !== undefined) {
      return { ids: this.db.prepare(`SELECT c.id FROM ${table} c WHERE ${where} AND c.id > @after ORDER BY c.id LIMIT @limit`).pluck().all({ ...bound, limit, after: cursor.after }) as number[] }
    }
    if (cursor.before === undefined) return null
    const back = (this.db.prepare(`SELECT c.id FROM ${table} c WHERE ${where} AND c.id < @before ORDER BY c.id DESC LIMIT @limit`).pluck().all({ ...bound, limit, before: cursor.before }) as number[]).reverse()
    if (back.length === limit) return { ids: back }
    return { ids: this.db.prepare(`SELECT c.id FROM ${table} c WHERE ${where} ORDER BY c.id LIMIT @limit`).pluck().all({ ...bound, limit }) as number[], offset: 0 }
  }

  /**
   * How many comparisons a filter (outcome, flag, annotator, any of them together) selects, from
   * the kept counts (see migrations 004 and 007): one primary-key read of the dataset's counts,
   * or with an annotator a sum over at most eight rows of one key range.
   */
  private keptCount(datasetId: number, filter: ComparisonFilter): number {
    if (filter.annotator !== undefined) {
      const conditions = ['dataset_id = @dataset', 'named = @named', 'annotator = @annotator']
      if (filter.outcome !== undefined) conditions.push('outcome = @outcome')
      if (filter.flagged !== undefined) conditions.push('flagged = @flagged')
      return this.db
        .prepare(`SELECT coalesce(sum(n), 0) FROM comparison_annotator_counts WHERE ${conditions.join(' AND ')}`)
        .pluck()
        .get({ dataset: datasetId, named: filter.annotator === '' ? 0 : 1, annotator: filter.annotator, outcome: filter.outcome, flagged: filter.flagged ? 1 : 0 }) as number
    }
    const n = this.db.prepare('SELECT * FROM dataset_counts WHERE dataset_id = ?').get(datasetId) as Record<string, number> | undefined
    if (!n) return 0
    if (filter.outcome === undefined) return filter.flagged ? n.flagged : n.comparisons - n.flagged
    const suffix = { a: 'a', b: 'b', tie: 'ties', both_bad: 'both_bad' }[filter.outcome]
    const all = n[{ a: 'outcome_a', b: 'outcome_b', tie: 'ties', both_bad: 'both_bad' }[filter.outcome]]
    const flagged = n[`flagged_${suffix}`]
    if (filter.flagged === undefined) return all
    return filter.flagged ? flagged : all - flagged
  }

  /** Comparison rows with their texts, in the order of `ids`. */
  byIds(ids: number[]): ComparisonRow[] {
    if (ids.length === 0) return []
    const rows = this.db
      .prepare(`SELECT ${comparisonColumns} ${comparisonJoins} WHERE c.id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(ids)) as Raw<ComparisonRow>[]
    const byId = new Map(rows.map((r) => [r.id, withFlag<ComparisonRow>(r)]))
    return ids.map((id) => byId.get(id)).filter((r): r is ComparisonRow => r !== undefined)
  }

  comparison(datasetId: number, id: number): ComparisonDetail {
    const row = this.db
      .prepare(
        `SELECT ${comparisonColumns}, c.prompt_id AS promptId, c.response_a AS responseAId, c.response_b AS responseBId,
                ra.source AS sourceA, rb.source AS sourceB,
                p.messages AS promptMessages, ra.messages AS responseAMessages, rb.messages AS responseBMessages
           ${comparisonJoins}
          WHERE c.id = ? AND c.dataset_id = ?`,
      )
      .get(id, datasetId) as (Raw<ComparisonDetail> & { promptMessages: string | null; responseAMessages: string | null; responseBMessages: string | null }) | undefined
    if (!row) throw new NashlabError('not_found', `This dataset has no comparison ${id}.`, { comparison: id })
    const samePair = this.db
      .prepare(
        `SELECT count(*) FROM comparisons
          WHERE prompt_id = ? AND id != ? AND ((response_a = ? AND response_b = ?) OR (response_a = ? AND response_b = ?))`,
      )
      .pluck()
      .get(row.promptId, id, row.responseAId, row.responseBId, row.responseBId, row.responseAId) as number
    const parse = (v: string | null) => (v ? JSON.parse(v) : null)
    return {
      ...withFlag<ComparisonDetail>(row),
      promptMessages: parse(row.promptMessages),
      responseAMessages: parse(row.responseAMessages),
      responseBMessages: parse(row.responseBMessages),
      samePair,
    }
  }

  feedback(datasetId: number, total: number, offset: number, limit: number, query?: string, cursor: PageCursor = {}): RowPage<FeedbackRow> {
    const started = performance.now()
    const columns = `f.id, p.text AS prompt, r.text AS completion, f.label, f.annotator, f.source, f.flagged, f.created_at AS createdAt
      FROM feedback f JOIN prompts p ON p.id = f.prompt_id JOIN responses r ON r.id = f.response_id`
    const q = query?.trim()
    let ids: number[]
    let count = total
    let capped = false
    if (q) {
      const page = this.searchIds('feedback', datasetId, q, 'c.dataset_id = @dataset', { dataset: datasetId }, offset, limit, cursor)
      ids = page.ids
      offset = page.offset
      capped = page.capped
      count = page.count
    } else {
      const keyset = this.keysetIds('feedback', 'c.dataset_id = @dataset', { dataset: datasetId }, limit, cursor)
      ids = keyset ? keyset.ids : this.pageIds('feedback', datasetId, total, offset, limit)
      offset = keyset?.offset ?? offset
    }
    const rows =
      ids.length === 0
        ? []
        : (this.db.prepare(`SELECT ${columns} WHERE f.id IN (SELECT value FROM json_each(?)) ORDER BY f.id`).all(JSON.stringify(ids)) as Raw<FeedbackRow>[]).map((r) =>
            withFlag<FeedbackRow>(r),
          )
    return { rows, total: count, offset, limit, ...(q ? { query: q } : {}), ...(capped ? { totalIsLowerBound: true } : {}), elapsedMs: Math.round((performance.now() - started) * 10) / 10 }
  }

  prompts(datasetId: number, total: number, offset: number, limit: number): RowPage<PromptRow> {
    const ids = this.pageIds('prompts', datasetId, total, offset, limit)
    const rows =
      ids.length === 0
        ? []
        : (this.db
            .prepare(
              `SELECT p.id, p.text, (SELECT count(*) FROM responses r WHERE r.prompt_id = p.id) AS responses, p.created_at AS createdAt
                 FROM prompts p WHERE p.id IN (SELECT value FROM json_each(?)) ORDER BY p.id`,
            )
            .all(JSON.stringify(ids)) as PromptRow[])
    return { rows, total, offset, limit }
  }

  /**
   * The ids of the `limit` rows of a dataset from position `offset` on, in id order, at a cost
   * that does not grow with `offset`. While the dataset's ids are one unbroken run (no deletes, no
   * other dataset's rows in between: `total` rows from the lowest id to the highest), the row at
   * `offset` has id low + offset, one index probe away; otherwise a page starts from the nearest
   * row whose position the table's anchors know. `total` is the dataset's kept count of the rows.
   */
  private pageIds(table: PagedTable, datasetId: number, total: number, offset: number, limit: number): number[] {
    const range = this.idRange(table, datasetId)
    if (range.high - range.low + 1 === total) {
      return this.db
        .prepare(`SELECT id FROM ${table} WHERE dataset_id = @dataset AND id >= @start ORDER BY id LIMIT @limit`)
        .pluck()
        .all({ dataset: datasetId, start: range.low + offset, limit }) as number[]
    }
    const { from, skip } = this.anchors[table].locate(datasetId, offset)
    return this.db
      .prepare(`SELECT id FROM ${table} WHERE dataset_id = @dataset AND id >= @from ORDER BY id LIMIT @limit OFFSET @skip`)
      .pluck()
      .all({ dataset: datasetId, from, skip, limit }) as number[]
  }

  /**
   * The next `limit` rows of a dataset after id `after`, with texts and message lists, for
   * exports: keyset pages, so the connection is free between pages and each costs the same.
   */
  exportPage(kind: 'comparisons' | 'feedback' | 'prompts', datasetId: number, after: number, limit: number): ExportRow[] {
    const sql = {
      comparisons: `SELECT c.id, c.outcome, c.annotator, c.flagged, p.text AS prompt, p.messages AS promptMessages,
                           ra.text AS a, ra.messages AS aMessages, rb.text AS b, rb.messages AS bMessages
                      ${comparisonJoins} WHERE c.dataset_id = ? AND c.id > ? ORDER BY c.id LIMIT ?`,
      feedback: `SELECT f.id, f.label, f.annotator, f.flagged, p.text AS prompt, p.messages AS promptMessages, r.text AS a, r.messages AS aMessages
                   FROM feedback f JOIN prompts p ON p.id = f.prompt_id JOIN responses r ON r.id = f.response_id
                  WHERE f.dataset_id = ? AND f.id > ? ORDER BY f.id LIMIT ?`,
      prompts: `SELECT p.id, p.text AS prompt, p.messages AS promptMessages, 0 AS flagged FROM prompts p
                 WHERE p.dataset_id = ? AND p.id > ? ORDER BY p.id LIMIT ?`,
    }[kind]
    return this.db.prepare(sql).all(datasetId, after, limit) as ExportRow[]
  }

  /**
   * The lowest and highest id of a dataset's rows in `table`: two index probes. (One query asking
   * for both min and max would scan the dataset's index; SQLite probes only for a lone min or max.)
   */
  private idRange(table: PagedTable, datasetId: number): { low: number; high: number } {
    const low = this.db.prepare(`SELECT min(id) FROM ${table} WHERE dataset_id = ?`).pluck().get(datasetId) as number | null
    const high = this.db.prepare(`SELECT max(id) FROM ${table} WHERE dataset_id = ?`).pluck().get(datasetId) as number | null
    return { low: low ?? 0, high: high ?? -1 }
  }
}

/** Which matches of a search to read: rowids in [low, high], ascending or descending, at most `take`. */
interface MatchWindow {
  low: number
  high: number
  descending: boolean
  take: number
}

/**
 * One page of a search's matches, in rowid order, and how many it counts. Without a cursor the
 * matches before the page are read to find it (up to offset + limit + `searchCountAhead`); after
 * a cursor only the page and the count ahead of it are (limit + `searchCountAhead`), so a deep
 * page costs what the first does, and the count is `offset` plus the matches counted from the
 * page on. Before a cursor, the `limit` matches below it are read backwards to find the page's
 * first row (fewer than `limit`: the page is the first one).
 */
function searchPage(
  read: (window: MatchWindow) => number[],
  range: { low: number; high: number },
  offset: number,
  limit: number,
  cursor: PageCursor,
): { ids: number[]; offset: number; count: number; capped: boolean } {
  const ahead = limit + searchCountAhead
  let low: number | null = null
  if (cursor.after !== undefined) low = Math.max(range.low, cursor.after + 1)
  else if (cursor.before !== undefined) {
    const back = read({ low: range.low, high: Math.min(range.high, cursor.before - 1), descending: true, take: limit })
    if (back.length === limit) low = back[back.length - 1]
    else offset = 0
  }
  if (low === null) {
    const all = read({ ...range, descending: false, take: offset + ahead + 1 })
    return { ids: all.slice(offset, offset + limit), offset, count: Math.min(all.length, offset + ahead), capped: all.length > offset + ahead }
  }
  const all = read({ low, high: range.high, descending: false, take: ahead + 1 })
  return { ids: all.slice(0, limit), offset, count: offset + Math.min(all.length, ahead), capped: all.length > ahead }
}

/**
 * Run an FTS5 search with the user's text as a query (words, "phrases", prefix*, AND / OR / NOT,
 * column:term). When that is not valid FTS5 syntax (a stray quote, a hyphen, punctuation), search
 * each word as a literal phrase instead, so any typed text finds something sensible.
 */
function withFallback<T>(query: string, run: (match: string) => T): T {
  try {
    return run(query)
  } catch (error) {
    if (!isFtsSyntaxError(error)) throw error
    return run(literalQuery(query))
  }
}

function isFtsSyntaxError(error: unknown): boolean {
  const message = (error as Error).message ?? ''
  return /fts5|syntax error|no such column|unterminated string|unknown special query/i.test(message)
}

/** Each whitespace-separated word as a quoted phrase (quotes doubled), all required. */
export function literalQuery(query: string): string {
  return query
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => `"${w.replace(/"/g, '""')}"`)
    .join(' ')
}
