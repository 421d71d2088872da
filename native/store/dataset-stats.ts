import type { Outcome } from '../api/contract'
import type { Db } from './db'

/** One comparison as the reports read it: ids, verdict, who and how, and both responses' lengths. */
export interface ReportRow {
  promptId: number
  a: number
  b: number
  outcome: Outcome
  shownLeft: 'a' | 'b' | null
  annotator: string | null
  flagged: number
  /** Lengths of response a and b, in characters. */
  lengthA: number
  lengthB: number
}

/** The queries behind a dataset's statistics and its annotator and preference-health reports. */
export class DatasetStatsQueries {
  constructor(private readonly db: Db) {}

  /** Outcome and flag counts, kept by triggers in dataset_counts: one primary-key read. */
  counts(datasetId: number): { outcomes: Record<Outcome, number>; flagged: number } {
    const r = this.db
      .prepare('SELECT outcome_a AS a, outcome_b AS b, ties AS tie, both_bad, flagged FROM dataset_counts WHERE dataset_id = ?')
      .get(datasetId) as (Record<Outcome, number> & { flagged: number }) | undefined
    return { outcomes: { a: r?.a ?? 0, b: r?.b ?? 0, tie: r?.tie ?? 0, both_bad: r?.both_bad ?? 0 }, flagged: r?.flagged ?? 0 }
  }

  /**
   * Every comparison of a dataset, grouped by prompt (sorted by SQLite on the way out), streamed:
   * the consumer must not use this connection until the walk ends.
   */
  *byPrompt(datasetId: number): Generator<ReportRow[]> {
    const rows = this.db
      .prepare(
        `SELECT c.prompt_id AS promptId, c.response_a AS a, c.response_b AS b, c.outcome, c.shown_left AS shownLeft,
                c.annotator, c.flagged, length(ra.text) AS lengthA, length(rb.text) AS lengthB
           FROM comparisons c
           JOIN responses ra ON ra.id = c.response_a
           JOIN responses rb ON rb.id = c.response_b
          WHERE c.dataset_id = ?
          ORDER BY c.prompt_id`,
      )
      .iterate(datasetId) as IterableIterator<ReportRow>
    let group: ReportRow[] = []
    for (const row of rows) {
      if (group.length > 0 && group[0].promptId !== row.promptId) {
        yield group
        group = []
      }
      group.push(row)
    }
    if (group.length > 0) yield group
  }

  /** The first 400 characters of some prompts or responses, by id. */
  texts(ids: number[], table: 'prompts' | 'responses'): Map<number, string> {
    if (ids.length === 0) return new Map()
    const rows = this.db.prepare(`SELECT id, substr(text, 1, 400) AS text FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as {
      id: number
      text: string
    }[]
    return new Map(rows.map((r) => [r.id, r.text]))
  }
}
