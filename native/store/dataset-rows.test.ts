import { afterEach, beforeEach, expect, test } from 'vitest'
import { jsonl, openBench, type TestBench } from '../data/testing'
import { searchCountAhead } from './dataset-rows'
import { anchorSpacing } from './page-anchors'

let bench: TestBench
beforeEach(() => {
  bench = openBench()
})
afterEach(() => bench.close())

/** Unpaired feedback rows; every third one mentions "sunrise", so searches match a spread of rows. */
const feedbackRows = (tag: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ prompt: `${tag} prompt ${i}`, completion: `${tag} answer ${i}${i % 3 === 0 ? ' sunrise' : ''}`, label: i % 2 === 0 }))

const datasetId = (name: string) => bench.engine.db.prepare('SELECT id FROM datasets WHERE name = ?').pluck().get(name) as number

/** What each page must hold: the plain offset walk over the dataset's rows in id order. */
function truth(table: 'feedback' | 'prompts', offset: number, limit = 50): number[] {
  return bench.engine.db.prepare(`SELECT id FROM ${table} WHERE dataset_id = ? ORDER BY id LIMIT ? OFFSET ?`).pluck().all(datasetId('main'), limit, offset) as number[]
}

/**
 * Dataset `main` in two runs of ids with another dataset's rows between them: files of `make`'s rows,
 * `counts` [main, other, main], named by `tags`. By default 3,600 feedback rows (and as many prompts).
 */
async function interleaved(make = (tag: string, n: number) => jsonl(feedbackRows(tag, n)), counts = [2000, 300, 1600], tags = 'abc') {
  const datasets = ['main', 'other', 'main']
  for (const [k, dataset] of datasets.entries()) await bench.engine.call('datasets.import', { dataset, path: bench.file(`${tags[k]}.jsonl`, make(tags[k], counts[k])) })
}

const offsets = [0, 1, 49, anchorSpacing - 1, anchorSpacing, anchorSpacing + 7, 1999, 2000, 2500, 3000, 3549]

/** Every probed page of feedback and of prompts equals the offset walk, and the totals are the kept counts. */
async function expectPagesRight() {
  const shown = await bench.engine.call('datasets.show', { name: 'main' })
  for (const [table, total] of [
    ['feedback', shown.feedback],
    ['prompts', shown.prompts],
  ] as const) {
    expect(total, table).toBe(bench.engine.db.prepare(`SELECT count(*) FROM ${table} WHERE dataset_id = ?`).pluck().get(shown.id))
    for (const offset of [...offsets, total - 50, total - 1]) {
      const page = await bench.engine.call(table === 'feedback' ? 'datasets.feedback' : 'datasets.prompts', { name: 'main', offset, limit: 50 })
      expect(
        page.rows.map((r) => r.id),
        `${table} at offset ${offset}`,
      ).toEqual(truth(table, offset))
      expect(page.total).toBe(total)
    }
  }
}

test('feedback and prompt pages deep into a dataset whose ids are broken hold exactly the rows OFFSET gives', async () => {
  await interleaved()
  await expectPagesRight()
  const db = bench.engine.db
  const main = datasetId('main')
  // Rows leave: deleted near the start, across an anchor, at the end; prompts deleted take their feedback along.
  db.prepare('DELETE FROM feedback WHERE id IN (SELECT id FROM feedback WHERE dataset_id = ? ORDER BY id LIMIT 6 OFFSET 3)').run(main)
  db.prepare(`DELETE FROM feedback WHERE id IN (SELECT id FROM feedback WHERE dataset_id = ? ORDER BY id LIMIT 4 OFFSET ${anchorSpacing - 2})`).run(main)
  await expectPagesRight()
  db.prepare('DELETE FROM prompts WHERE id IN (SELECT id FROM prompts WHERE dataset_id = ? ORDER BY id LIMIT 20 OFFSET 2500)').run(main)
  await expectPagesRight()
  // Rows move between datasets, both ways; the kept counts follow them.
  const other = datasetId('other')
  db.prepare('UPDATE feedback SET dataset_id = ? WHERE id = (SELECT min(id) FROM feedback WHERE dataset_id = ?)').run(main, other)
  db.prepare('UPDATE prompts SET dataset_id = ? WHERE id = (SELECT min(id) FROM prompts WHERE dataset_id = ?)').run(main, other)
  db.prepare('UPDATE prompts SET dataset_id = ? WHERE id = (SELECT max(id) FROM prompts WHERE dataset_id = ?)').run(other, main)
  await expectPagesRight()
  expect((await bench.engine.call('datasets.show', { name: 'other' })).prompts).toBe(db.prepare('SELECT count(*) FROM prompts WHERE dataset_id = ?').pluck().get(other))
  // Appends keep older rows where they are.
  await bench.engine.call('datasets.import', { dataset: 'main', path: bench.file('d.jsonl', jsonl(feedbackRows('d', 120))) })
  await expectPagesRight()
})

test('a prompt-only dataset pages in one run of ids and after deletes', async () => {
  const prompts = (tag: string, n: number) => jsonl(Array.from({ length: n }, (_, i) => ({ prompt: `${tag} question ${i}` })))
  await bench.engine.call('datasets.import', { dataset: 'main', path: bench.file('a.jsonl', prompts('a', 2600)) })
  const page = await bench.engine.call('datasets.prompts', { name: 'main', offset: 2550, limit: 50 })
  expect(page.rows.map((r) => r.text)).toEqual(Array.from({ length: 50 }, (_, i) => `a question ${2550 + i}`))
  bench.engine.db.prepare('DELETE FROM prompts WHERE id IN (SELECT id FROM prompts ORDER BY id LIMIT 3 OFFSET 1200)').run()
  const after = await bench.engine.call('datasets.prompts', { name: 'main', offset: 2500, limit: 50 })
  expect(after.total).toBe(2597)
  expect(after.rows.map((r) => r.id)).toEqual(truth('prompts', 2500))
})

test('a feedback search pages through its matches in id order, within its dataset', async () => {
  await interleaved()
  bench.engine.db.prepare('DELETE FROM feedback WHERE id IN (SELECT id FROM feedback WHERE dataset_id = ? ORDER BY id LIMIT 10 OFFSET 30)').run(datasetId('main'))
  // The first search indexes the rows (the CLI's searches are complete); the truth reads the index after it.
  const first = await bench.engine.call('datasets.feedback', { name: 'main', offset: 0, limit: 200, query: 'sunrise' })
  const matches = bench.engine.db
    .prepare("SELECT f.id FROM feedback f WHERE f.dataset_id = ? AND f.id IN (SELECT rowid FROM feedback_search WHERE feedback_search MATCH 'sunrise') ORDER BY f.id")
    .pluck()
    .all(datasetId('main')) as number[]
  // Every third row of each import matches, less the deleted ones.
  expect(matches.length).toBe(667 + 534 - 4)
  const seen: number[] = []
  for (let offset = 0; offset < matches.length; offset += 200) {
    const page = await bench.engine.call('datasets.feedback', { name: 'main', offset, limit: 200, query: 'sunrise' })
    expect(page.total).toBe(matches.length)
    expect(page.query).toBe('sunrise')
    for (const row of page.rows) expect(row.completion).toContain('sunrise')
    seen.push(...page.rows.map((r) => r.id))
  }
  expect(seen).toEqual(matches)
  expect(first.rows.map((r) => r.id)).toEqual(matches.slice(0, 200))
  const past = await bench.engine.call('datasets.feedback', { name: 'main', offset: matches.length, limit: 50, query: 'sunrise' })
  expect(past.rows).toEqual([])
})

test('a page of prompts reads the dataset-ordered index of prompts alone', () => {
  const plan = bench.engine.db
    .prepare('EXPLAIN QUERY PLAN SELECT id FROM prompts WHERE dataset_id = ? AND id >= ? ORDER BY id LIMIT ?')
    .all(1, 1, 50) as { detail: string }[]
  expect(plan.map((p) => p.detail).join('; ')).toMatch(/USING COVERING INDEX prompts_dataset/)
})

test('pages of the flagged rows, the ties, the both-bad ones and the B wins read their partial indexes alone', () => {
  const plan = (where: string) =>
    (bench.engine.db.prepare(`EXPLAIN QUERY PLAN SELECT c.id FROM comparisons c WHERE c.dataset_id = ? AND ${where} AND c.id >= ? ORDER BY c.id LIMIT 50 OFFSET 3`).all(1, 1) as { detail: string }[])
      .map((p) => p.detail)
      .join('; ')
  expect(plan('c.flagged = 1')).toMatch(/USING COVERING INDEX comparisons_flagged/)
  expect(plan("c.outcome = 'tie'")).toMatch(/USING COVERING INDEX comparisons_ties/)
  expect(plan("c.outcome = 'both_bad'")).toMatch(/USING COVERING INDEX comparisons_both_bad/)
  expect(plan("c.outcome = 'b'")).toMatch(/USING COVERING INDEX comparisons_b_wins/)
  expect(plan("c.outcome = 'tie' AND c.flagged = 0")).toMatch(/USING INDEX comparisons_ties/)
})

type Filter = { outcome?: 'a' | 'b' | 'tie' | 'both_bad'; flagged?: boolean; annotator?: string }

const pairs = (tag: string, n: number) => jsonl(Array.from({ length: n }, (_, i) => ({ prompt: `${tag} q ${i % 40}`, chosen: `${tag} good ${i}`, rejected: `${tag} bad ${i}` })))

/** What a filtered page must hold, and the filter's total: the plain OFFSET walk and count(*). */
function truthOf(filter: Filter, offset: number, name = 'main') {
  const where = [
    'dataset_id = @dataset',
    ...(filter.outcome ? ['outcome = @outcome'] : []),
    ...(filter.flagged !== undefined ? ['flagged = @flagged'] : []),
    ...(filter.annotator === '' ? ['annotator IS NULL'] : filter.annotator !== undefined ? ['annotator = @annotator'] : []),
  ].join(' AND ')
  const params = { dataset: datasetId(name), outcome: filter.outcome, flagged: filter.flagged === undefined ? undefined : Number(filter.flagged), annotator: filter.annotator || undefined }
  const bound = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined))
  const db = bench.engine.db
  return {
    ids: db.prepare(`SELECT id FROM comparisons WHERE ${where} ORDER BY id LIMIT 50 OFFSET ${offset}`).pluck().all(bound) as number[],
    total: db.prepare(`SELECT count(*) FROM comparisons WHERE ${where}`).pluck().get(bound) as number,
  }
}

/** Pages of each filter at the start, across anchors, half-way and at the end equal the OFFSET walk; totals equal count(*). */
async function expectFilteredPagesRight(filters: Filter[], name = 'main') {
  for (const filter of filters) {
    const { total } = truthOf(filter, 0, name)
    for (const offset of [0, 49, anchorSpacing - 1, anchorSpacing + 3, Math.floor(total / 2), total - 50, total - 1, total]) {
      if (offset < 0) continue
      const page = await bench.engine.call('datasets.comparisons', { name, offset, limit: 50, ...filter })
      const expected = truthOf(filter, offset, name)
      expect(page.rows.map((r) => r.id), `${JSON.stringify(filter)} at offset ${offset}`).toEqual(expected.ids)
      expect(page.total, `${JSON.stringify(filter)} total`).toBe(expected.total)
    }
  }
}

test('filtered comparison pages (an outcome, flagged only, both) hold exactly the rows OFFSET gives, through edits', async () => {
  const { engine } = bench
  await interleaved(pairs, [2400, 200, 2400])
  const db = engine.db
  const main = datasetId('main')
  // Another writer spreads the outcomes and flags over the rows.
  db.prepare("UPDATE comparisons SET outcome = CASE id % 3 WHEN 0 THEN 'tie' WHEN 1 THEN 'a' ELSE 'b' END, flagged = (id % 5 = 0) WHERE dataset_id = ?").run(main)
  const filters: Filter[] = [{ outcome: 'tie' }, { flagged: true }, { flagged: false }, { outcome: 'b', flagged: false }, { outcome: 'tie', flagged: true }]
  await expectFilteredPagesRight(filters)
  // A filter that selects nothing, and a page past a filter's end.
  expect(await engine.call('datasets.comparisons', { name: 'main', outcome: 'both_bad', offset: 100, limit: 50 })).toMatchObject({ rows: [], total: 0 })
  const ties = truthOf({ outcome: 'tie' }, 0).total
  expect(await engine.call('datasets.comparisons', { name: 'main', outcome: 'tie', offset: ties, limit: 50 })).toMatchObject({ rows: [], total: ties })
  // Curation changes outcomes and flags, and deletes; undo puts them back.
  const someTies = truthOf({ outcome: 'tie' }, anchorSpacing).ids.slice(0, 5)
  await engine.call('datasets.setOutcome', { name: 'main', ids: someTies, outcome: 'a' })
  await engine.call('datasets.flag', { name: 'main', ids: truthOf({ flagged: false }, 10).ids.slice(0, 3), flagged: true })
  await expectFilteredPagesRight(filters)
  await engine.call('datasets.deleteComparisons', { name: 'main', ids: truthOf({ flagged: true }, 5).ids.slice(0, 4) })
  await expectFilteredPagesRight(filters)
  await engine.call('datasets.undo', { name: 'main' })
  await engine.call('datasets.undo', { name: 'main' })
  await expectFilteredPagesRight(filters)
})

/** The kept filter counts (migration 007) recounted from the rows: they must match exactly. */
function expectKeptCountsExact() {
  const db = bench.engine.db
  const kept = db.prepare('SELECT dataset_id, named, annotator, outcome, flagged, n FROM comparison_annotator_counts ORDER BY 1, 2, 3, 4, 5').all()
  const recounted = db
    .prepare(
      `SELECT dataset_id, annotator IS NOT NULL AS named, coalesce(annotator, '') AS annotator, outcome, flagged, count(*) AS n
         FROM comparisons GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
    )
    .all()
  expect(kept).toEqual(recounted)
  const flaggedKept = db.prepare('SELECT dataset_id, flagged_a, flagged_b, flagged_ties, flagged_both_bad FROM dataset_counts ORDER BY 1').all()
  const flaggedRecounted = db
    .prepare(
      `SELECT d.id AS dataset_id,
              (SELECT count(*) FROM comparisons c WHERE c.dataset_id = d.id AND c.flagged AND c.outcome = 'a') AS flagged_a,
              (SELECT count(*) FROM comparisons c WHERE c.dataset_id = d.id AND c.flagged AND c.outcome = 'b') AS flagged_b,
              (SELECT count(*) FROM comparisons c WHERE c.dataset_id = d.id AND c.flagged AND c.outcome = 'tie') AS flagged_ties,
              (SELECT count(*) FROM comparisons c WHERE c.dataset_id = d.id AND c.flagged AND c.outcome = 'both_bad') AS flagged_both_bad
         FROM datasets d ORDER BY 1`,
    )
    .all()
  expect(flaggedKept).toEqual(flaggedRecounted)
}

test('pages filtered by annotator, alone or with an outcome and the flag, hold the OFFSET rows and count from kept counts, through edits, moves and deletes', async () => {
  const { engine } = bench
  await engine.call('datasets.import', { dataset: 'main', path: bench.file('a.jsonl', pairs('a', 2600)) })
  await engine.call('datasets.import', { dataset: 'other', path: bench.file('b.jsonl', pairs('b', 300)) })
  const db = engine.db
  const main = datasetId('main')
  // Another writer names annotators (one of them ''), outcomes and flags.
  db.prepare(
    `UPDATE comparisons SET annotator = CASE id % 4 WHEN 0 THEN NULL WHEN 1 THEN 'ann' WHEN 2 THEN 'bob' ELSE '' END,
            outcome = CASE id % 7 WHEN 0 THEN 'tie' WHEN 1 THEN 'b' WHEN 2 THEN 'both_bad' ELSE 'a' END, flagged = (id % 3 = 0)`,
  ).run()
  expectKeptCountsExact()
  const filters: Filter[] = [
    { annotator: 'ann' },
    { annotator: '' },
    { annotator: 'bob', outcome: 'a' },
    { annotator: 'ann', flagged: true },
    { annotator: 'bob', outcome: 'tie', flagged: false },
    { annotator: 'nobody' },
    { outcome: 'both_bad', flagged: true },
    // The same outcome with and without "no annotator": each filter keeps anchors of its own.
    { outcome: 'a', annotator: '' },
    { outcome: 'a' },
  ]
  await expectFilteredPagesRight(filters)
  // Curation, an append, rows moved between datasets, an annotator renamed, deletes and undo.
  await engine.call('datasets.setOutcome', { name: 'main', ids: truthOf({ annotator: 'ann' }, 300).ids.slice(0, 6), outcome: 'both_bad' })
  await engine.call('datasets.flag', { name: 'main', ids: truthOf({ annotator: '' }, 30).ids.slice(0, 4), flagged: true })
  await engine.call('datasets.import', { dataset: 'main', path: bench.file('c.jsonl', pairs('c', 500)) })
  db.prepare("UPDATE comparisons SET annotator = 'ann' WHERE dataset_id = ? AND annotator IS NULL AND id % 8 = 0").run(main)
  db.prepare('UPDATE comparisons SET dataset_id = ? WHERE id IN (SELECT id FROM comparisons WHERE dataset_id = ? ORDER BY id LIMIT 20)').run(main, datasetId('other'))
  db.prepare('UPDATE comparisons SET dataset_id = ? WHERE id IN (SELECT id FROM comparisons WHERE dataset_id = ? ORDER BY id LIMIT 15 OFFSET 700)').run(datasetId('other'), main)
  expectKeptCountsExact()
  await expectFilteredPagesRight(filters)
  await expectFilteredPagesRight([{ annotator: 'bob' }], 'other')
  await engine.call('datasets.deleteComparisons', { name: 'main', ids: truthOf({ annotator: 'bob' }, 100).ids.slice(0, 9) })
  expectKeptCountsExact()
  await expectFilteredPagesRight(filters)
  await engine.call('datasets.undo', { name: 'main' })
  await engine.call('datasets.undo', { name: 'main' })
  expectKeptCountsExact()
  await expectFilteredPagesRight(filters)
  // Deleting a dataset takes its kept counts with it.
  await engine.call('datasets.delete', { name: 'other' })
  expectKeptCountsExact()
})

/** Comparisons whose chosen response says "sunrise" in every third row, so searches match a spread of rows. */
const sunrisePairs = (tag: string, n: number) =>
  jsonl(Array.from({ length: n }, (_, i) => ({ prompt: `${tag} q ${i % 40}`, chosen: `${tag} good ${i}${i % 3 === 0 ? ' sunrise' : ''}`, rejected: `${tag} bad ${i}` })))

/** The simple query a search page must equal: the matching rows of the dataset in id order, OFFSET and LIMIT, and their count. */
function searchTruth(table: 'comparisons' | 'feedback', where: string, offset: number) {
  const db = bench.engine.db
  const index = table === 'comparisons' ? 'comparison_search' : 'feedback_search'
  const sql = `FROM ${table} WHERE dataset_id = ? AND ${where} AND id IN (SELECT rowid FROM ${index} WHERE ${index} MATCH 'sunrise')`
  return {
    ids: db.prepare(`SELECT id ${sql} ORDER BY id LIMIT 50 OFFSET ?`).pluck().all(datasetId('main'), offset) as number[],
    total: db.prepare(`SELECT count(*) ${sql}`).pluck().get(datasetId('main')) as number,
  }
}

test('search pages after and before a cursor hold exactly the rows the simple query gives, with the offset pages’ counts', async () => {
  const { engine } = bench
  await interleaved(sunrisePairs, [2400, 300, 2400])
  const db = engine.db
  db.prepare("UPDATE comparisons SET outcome = CASE id % 4 WHEN 0 THEN 'tie' ELSE 'a' END WHERE dataset_id = ?").run(datasetId('main'))
  await engine.call('datasets.deleteComparisons', { name: 'main', ids: db.prepare('SELECT id FROM comparisons WHERE dataset_id = ? AND id % 9 = 0 LIMIT 40').pluck().all(datasetId('main')) as number[] })
  await engine.call('datasets.index', {})
  for (const [filter, where] of [
    [{}, '1'],
    [{ outcome: 'a' as const }, "outcome = 'a'"],
  ] as const) {
    const { total } = searchTruth('comparisons', where, 0)
    expect(total).toBeGreaterThan(1100)
    // Forward, each page after the last row of the one before.
    let previous: number | undefined
    let offset = 0
    const pages: number[][] = []
    for (; offset < total; offset += 50) {
      const page = await engine.call('datasets.comparisons', { name: 'main', query: 'sunrise', offset, limit: 50, ...filter, ...(previous === undefined ? {} : { after: previous }) })
      const byOffset = await engine.call('datasets.comparisons', { name: 'main', query: 'sunrise', offset, limit: 50, ...filter })
      expect(page.rows.map((r) => r.id), `${where} after page at ${offset}`).toEqual(searchTruth('comparisons', where, offset).ids)
      expect({ total: page.total, capped: page.totalIsLowerBound, offset: page.offset }).toEqual({ total: byOffset.total, capped: byOffset.totalIsLowerBound, offset })
      expect(page.total).toBe(Math.min(total, offset + 50 + searchCountAhead))
      pages.push(page.rows.map((r) => r.id))
      previous = page.rows.at(-1)?.id
    }
    const past = await engine.call('datasets.comparisons', { name: 'main', query: 'sunrise', offset, limit: 50, ...filter, after: previous })
    expect(past).toMatchObject({ rows: [], total })
    // Backward, each page before the first row of the one after.
    for (let k = pages.length - 2; k >= 0; k--) {
      const page = await engine.call('datasets.comparisons', { name: 'main', query: 'sunrise', offset: k * 50, limit: 50, ...filter, before: pages[k + 1][0] })
      expect(page.rows.map((r) => r.id), `${where} before page ${k}`).toEqual(pages[k])
      expect(page.offset).toBe(k * 50)
    }
    // Before a row with fewer than a page of matches ahead of it: the first page.
    const early = await engine.call('datasets.comparisons', { name: 'main', query: 'sunrise', offset: 50, limit: 50, ...filter, before: pages[0][10] })
    expect(early).toMatchObject({ offset: 0 })
    expect(early.rows.map((r) => r.id)).toEqual(pages[0])
  }
})

test('comparison and feedback pages after and before a cursor, searched, filtered or not, equal the offset walk', async () => {
  const { engine } = bench
  await interleaved()
  await interleaved(sunrisePairs, [2200, 100, 900], 'pqr')
  const db = engine.db
  db.prepare('UPDATE comparisons SET flagged = (id % 3 = 0)').run()
  db.prepare('DELETE FROM feedback WHERE id IN (SELECT id FROM feedback WHERE dataset_id = ? AND id % 11 = 0)').run(datasetId('main'))
  await engine.call('datasets.index', {})
  const main = datasetId('main')
  const plain = (table: 'comparisons' | 'feedback', where: string, offset: number) =>
    db.prepare(`SELECT id FROM ${table} WHERE dataset_id = ? AND ${where} ORDER BY id LIMIT 50 OFFSET ?`).pluck().all(main, offset) as number[]
  const cases = [
    { method: 'datasets.comparisons' as const, input: {}, truth: (offset: number) => plain('comparisons', '1', offset) },
    { method: 'datasets.comparisons' as const, input: { flagged: true }, truth: (offset: number) => plain('comparisons', 'flagged = 1', offset) },
    { method: 'datasets.feedback' as const, input: {}, truth: (offset: number) => plain('feedback', '1', offset) },
    { method: 'datasets.feedback' as const, input: { query: 'sunrise' }, truth: (offset: number) => searchTruth('feedback', '1', offset).ids },
  ]
  for (const { method, input, truth } of cases) {
    const label = `${method} ${JSON.stringify(input)}`
    const first = await engine.call(method, { name: 'main', limit: 50, ...input })
    const deep = Math.floor(first.total / 100) * 50
    const before = await engine.call(method, { name: 'main', limit: 50, offset: deep - 50, ...input })
    const page = await engine.call(method, { name: 'main', limit: 50, offset: deep, after: before.rows.at(-1)!.id, ...input })
    expect(page.rows.map((r) => r.id), label).toEqual(truth(deep))
    // A search counts from the page on; other pages' totals are the kept counts.
    expect(page.total, label).toBe('query' in input ? Math.min(searchTruth('feedback', '1', 0).total, deep + 50 + searchCountAhead) : first.total)
    const back = await engine.call(method, { name: 'main', limit: 50, offset: deep - 50, before: page.rows[0].id, ...input })
    expect(back.rows.map((r) => r.id), label).toEqual(truth(deep - 50))
  }
  await expect(engine.call('datasets.comparisons', { name: 'main', after: 3, before: 9 })).rejects.toMatchObject({ code: 'invalid_input' })
})
