import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { deferComparisonCounts } from './bulk-counts'
import { DatasetRepository } from './datasets'
import { openDatabase, type Db } from './db'

let dir: string
let db: Db
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-bulk-counts-'))
  db = openDatabase(path.join(dir, 'nashlab.db'))
})
afterEach(() => {
  db.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const outcomes = ['a', 'b', 'tie', 'both_bad'] as const
const annotators = [null, '', 'ann', 'bob']

/** `n` comparisons in dataset `id` with outcomes, annotators and flags that vary with `seed`. */
function insert(id: number, n: number, seed: number) {
  const prompt = Number(db.prepare('INSERT INTO prompts (dataset_id, text) VALUES (?, ?)').run(id, `prompt ${seed}`).lastInsertRowid)
  const a = Number(db.prepare("INSERT INTO responses (prompt_id, text) VALUES (?, 'a')").run(prompt).lastInsertRowid)
  const b = Number(db.prepare("INSERT INTO responses (prompt_id, text) VALUES (?, 'b')").run(prompt).lastInsertRowid)
  const row = db.prepare('INSERT INTO comparisons (dataset_id, prompt_id, response_a, response_b, outcome, annotator, flagged) VALUES (?, ?, ?, ?, ?, ?, ?)')
  for (let i = 0; i < n; i++) row.run(id, prompt, a, b, outcomes[(i * 7 + seed) % 4], annotators[(i * 3 + seed) % 4], (i + seed) % 5 === 0 ? 1 : 0)
}

/** Every kept comparison count next to the same count taken from the rows. */
function keptAndRecounted() {
  const kept = {
    datasets: db.prepare('SELECT dataset_id, comparisons, outcome_a, outcome_b, ties, both_bad, flagged, flagged_a, flagged_b, flagged_ties, flagged_both_bad FROM dataset_counts ORDER BY 1').all(),
    annotators: db.prepare('SELECT dataset_id, named, annotator, outcome, flagged, n FROM comparison_annotator_counts ORDER BY 1, 2, 3, 4, 5').all(),
  }
  const recounted = {
    datasets: db
      .prepare(
        `SELECT d.id AS dataset_id, count(c.id) AS comparisons,
                coalesce(sum(c.outcome = 'a'), 0) AS outcome_a, coalesce(sum(c.outcome = 'b'), 0) AS outcome_b,
                coalesce(sum(c.outcome = 'tie'), 0) AS ties, coalesce(sum(c.outcome = 'both_bad'), 0) AS both_bad,
                coalesce(sum(c.flagged), 0) AS flagged,
                coalesce(sum(c.flagged AND c.outcome = 'a'), 0) AS flagged_a, coalesce(sum(c.flagged AND c.outcome = 'b'), 0) AS flagged_b,
                coalesce(sum(c.flagged AND c.outcome = 'tie'), 0) AS flagged_ties, coalesce(sum(c.flagged AND c.outcome = 'both_bad'), 0) AS flagged_both_bad
           FROM datasets d LEFT JOIN comparisons c ON c.dataset_id = d.id GROUP BY d.id ORDER BY 1`,
      )
      .all(),
    annotators: db
      .prepare(
        `SELECT dataset_id, annotator IS NOT NULL AS named, coalesce(annotator, '') AS annotator, outcome, flagged, count(*) AS n
           FROM comparisons GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
      )
      .all(),
  }
  return { kept, recounted }
}

const triggerSql = () => db.prepare("SELECT sql FROM sqlite_master WHERE name = 'comparisons_counts_insert'").pluck().get()

test('counts deferred over a bulk insert equal the per-row trigger’s, appended to rows counted before, in one dataset among others', () => {
  const repo = new DatasetRepository(db)
  const main = repo.ensure('main')
  const other = repo.ensure('other')
  insert(main, 37, 1)
  insert(other, 23, 2)
  const before = triggerSql()
  db.exec('BEGIN IMMEDIATE')
  const counting = deferComparisonCounts(db, main)
  expect(triggerSql()).toBeUndefined()
  insert(main, 211, 3)
  insert(main, 5, 4)
  counting.finish()
  db.exec('COMMIT')
  expect(triggerSql()).toBe(before)
  const { kept, recounted } = keptAndRecounted()
  expect(kept).toEqual(recounted)
  expect((kept.datasets as { comparisons: number }[]).map((d) => d.comparisons)).toEqual([37 + 211 + 5, 23])
  // The trigger counts the next writer's rows again.
  insert(main, 9, 5)
  const after = keptAndRecounted()
  expect(after.kept).toEqual(after.recounted)
})

test('a rolled-back bulk insert brings the trigger back and leaves every count as it was', () => {
  const main = new DatasetRepository(db).ensure('main')
  insert(main, 12, 1)
  const before = keptAndRecounted().kept
  const sql = triggerSql()
  db.exec('BEGIN IMMEDIATE')
  deferComparisonCounts(db, main)
  insert(main, 50, 2)
  db.exec('ROLLBACK')
  expect(triggerSql()).toBe(sql)
  expect(keptAndRecounted().kept).toEqual(before)
  expect(() => deferComparisonCounts(db, main)).toThrow('only inside a transaction')
})
