import type { AnnotatorReport, AnnotatorStats, Outcome } from '../api/contract'
import type { Db } from './db'

/**
 * The aggregate queries behind a dataset's statistics, annotator table and preference-health
 * panel. Each is one pass over the dataset's comparisons; the service caches the results until
 * the database changes.
 */
export class DatasetStatsQueries {
  constructor(private readonly db: Db) {}

  outcomes(datasetId: number): { outcomes: Record<Outcome, number>; flagged: number; annotators: number } {
    const r = this.db
      .prepare(
        `SELECT coalesce(sum(outcome = 'a'), 0) AS a, coalesce(sum(outcome = 'b'), 0) AS b, coalesce(sum(outcome = 'tie'), 0) AS tie,
                coalesce(sum(outcome = 'both_bad'), 0) AS both_bad, coalesce(sum(flagged), 0) AS flagged, count(DISTINCT annotator) AS annotators
           FROM comparisons WHERE dataset_id = ?`,
      )
      .get(datasetId) as Record<Outcome, number> & { flagged: number; annotators: number }
    return { outcomes: { a: r.a, b: r.b, tie: r.tie, both_bad: r.both_bad }, flagged: r.flagged, annotators: r.annotators }
  }

  /** Decisive human votes with a recorded left side, and how many the left one won. */
  leftWins(datasetId: number): { count: number; of: number } {
    return this.db
      .prepare(
        `SELECT coalesce(sum(outcome = shown_left), 0) AS count, count(*) AS of
           FROM comparisons WHERE dataset_id = ? AND shown_left IS NOT NULL AND outcome IN ('a', 'b')`,
      )
      .get(datasetId) as { count: number; of: number }
  }

  /** Decisive comparisons of responses of different length (in characters), and how many the longer won. */
  longerWins(datasetId: number): { count: number; of: number } {
    return this.db
      .prepare(
        `SELECT coalesce(sum((outcome = 'a') = (la > lb)), 0) AS count, count(*) AS of
           FROM (SELECT c.outcome, length(ra.text) AS la, length(rb.text) AS lb
                   FROM comparisons c
                   JOIN responses ra ON ra.id = c.response_a
                   JOIN responses rb ON rb.id = c.response_b
                  WHERE c.dataset_id = ? AND c.outcome IN ('a', 'b'))
          WHERE la != lb`,
      )
      .get(datasetId) as { count: number; of: number }
  }

  /**
   * Decisive judgements of the prompts with at least three of them (fewer cannot form a triad),
   * grouped by prompt, for the intransitivity count.
   */
  *decisiveByPrompt(datasetId: number): Generator<{ promptId: number; wins: { winner: number; loser: number }[] }> {
    const rows = this.db
      .prepare(
        `SELECT c.prompt_id AS promptId,
                CASE c.outcome WHEN 'a' THEN c.response_a ELSE c.response_b END AS winner,
                CASE c.outcome WHEN 'a' THEN c.response_b ELSE c.response_a END AS loser
           FROM comparisons c
          WHERE c.dataset_id = ? AND c.outcome IN ('a', 'b')
            AND c.prompt_id IN (SELECT prompt_id FROM comparisons WHERE dataset_id = ? AND outcome IN ('a', 'b')
                                 GROUP BY prompt_id HAVING count(*) >= 3)
          ORDER BY c.prompt_id`,
      )
      .iterate(datasetId, datasetId) as IterableIterator<{ promptId: number; winner: number; loser: number }>
    // Streamed: the consumer must not use this connection until the walk ends.
    let current: { promptId: number; wins: { winner: number; loser: number }[] } | null = null
    for (const row of rows) {
      if (current && current.promptId !== row.promptId) {
        yield current
        current = null
      }
      current ??= { promptId: row.promptId, wins: [] }
      current.wins.push({ winner: row.winner, loser: row.loser })
    }
    if (current) yield current
  }

  texts(ids: number[], table: 'prompts' | 'responses'): Map<number, string> {
    if (ids.length === 0) return new Map()
    const rows = this.db.prepare(`SELECT id, substr(text, 1, 400) AS text FROM ${table} WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as {
      id: number
      text: string
    }[]
    return new Map(rows.map((r) => [r.id, r.text]))
  }

  /**
   * Per-annotator counts, and agreement on pairs that several annotators judged. A judgement is
   * normalised to the pair {lo, hi} of response ids and the verdict lo / hi / tie / both_bad; every
   * two judgements of one pair by different annotators is a comparison of verdicts.
   */
  annotators(datasetId: number): AnnotatorReport {
    const counts = this.db
      .prepare(
        `SELECT annotator, count(*) AS comparisons, sum(outcome = 'a') AS a, sum(outcome = 'b') AS b, sum(outcome = 'tie') AS tie,
                sum(outcome = 'both_bad') AS both_bad, sum(flagged) AS flagged
           FROM comparisons WHERE dataset_id = ? GROUP BY annotator ORDER BY comparisons DESC, annotator`,
      )
      .all(datasetId) as { annotator: string | null; comparisons: number; a: number; b: number; tie: number; both_bad: number; flagged: number }[]
    const agreement = this.db
      .prepare(
        `WITH v AS (
           SELECT prompt_id AS p, min(response_a, response_b) AS lo, max(response_a, response_b) AS hi, annotator,
                  CASE outcome
                    WHEN 'a' THEN CASE WHEN response_a < response_b THEN 'lo' ELSE 'hi' END
                    WHEN 'b' THEN CASE WHEN response_b < response_a THEN 'lo' ELSE 'hi' END
                    ELSE outcome END AS verdict
             FROM comparisons WHERE dataset_id = ? AND annotator IS NOT NULL),
         shared AS (SELECT p, lo, hi FROM v GROUP BY p, lo, hi HAVING count(DISTINCT annotator) >= 2),
         sv AS (SELECT v.* FROM v JOIN shared USING (p, lo, hi))
         SELECT x.annotator, count(*) AS shared, sum(x.verdict = y.verdict) AS agreed
           FROM sv x JOIN sv y ON y.p = x.p AND y.lo = x.lo AND y.hi = x.hi AND y.annotator != x.annotator
          GROUP BY x.annotator`,
      )
      .all(datasetId) as { annotator: string; shared: number; agreed: number }[]
    const sharedPairs = this.db
      .prepare(
        `SELECT count(*) FROM (SELECT 1 FROM comparisons WHERE dataset_id = ? AND annotator IS NOT NULL
            GROUP BY prompt_id, min(response_a, response_b), max(response_a, response_b) HAVING count(DISTINCT annotator) >= 2)`,
      )
      .pluck()
      .get(datasetId) as number
    const byAnnotator = new Map(agreement.map((r) => [r.annotator, r]))
    const annotators: AnnotatorStats[] = counts.map((c) => {
      const a = c.annotator === null ? undefined : byAnnotator.get(c.annotator)
      const shared = a?.shared ?? 0
      const agreed = a?.agreed ?? 0
      return {
        annotator: c.annotator,
        comparisons: c.comparisons,
        outcomes: { a: c.a, b: c.b, tie: c.tie, both_bad: c.both_bad },
        flagged: c.flagged,
        sharedJudgements: shared,
        agreements: agreed,
        agreement: shared > 0 ? agreed / shared : null,
      }
    })
    // Each unordered pair of judgements was counted once from each side.
    const totalShared = agreement.reduce((s, r) => s + r.shared, 0) / 2
    const totalAgreed = agreement.reduce((s, r) => s + r.agreed, 0) / 2
    return { annotators, sharedPairs, agreement: totalShared > 0 ? totalAgreed / totalShared : null }
  }
}
