import { afterEach, beforeEach, expect, test } from 'vitest'
import { jsonl, openBench, type TestBench } from '../data/testing'
import { anchorSpacing } from './page-anchors'

let bench: TestBench
beforeEach(() => {
  bench = openBench()
})
afterEach(() => bench.close())

const rows = (tag: string, n: number) => Array.from({ length: n }, (_, i) => ({ prompt: `${tag} prompt ${i % 50}`, chosen: `${tag} good ${i}`, rejected: `${tag} bad ${i}` }))

/** A dataset of 3,600 rows in two runs of ids with another dataset's rows between them. */
async function interleaved() {
  const { engine } = bench
  await engine.call('datasets.import', { dataset: 'main', path: bench.file('a.jsonl', jsonl(rows('a', 2000))) })
  await engine.call('datasets.import', { dataset: 'other', path: bench.file('b.jsonl', jsonl(rows('b', 300))) })
  await engine.call('datasets.import', { dataset: 'main', path: bench.file('c.jsonl', jsonl(rows('c', 1600))) })
  return engine
}

/** What each page must hold: the plain offset walk. */
function truth(offset: number, limit = 50): number[] {
  const db = bench.engine.db
  const id = db.prepare("SELECT id FROM datasets WHERE name = 'main'").pluck().get()
  return db.prepare('SELECT id FROM comparisons WHERE dataset_id = ? ORDER BY id LIMIT ? OFFSET ?').pluck().all(id, limit, offset) as number[]
}

const offsets = [0, 1, 49, anchorSpacing - 1, anchorSpacing, anchorSpacing + 7, 1999, 2000, 2500, 3000, 3549, 3551, 3599]

async function expectPagesRight() {
  const total = (await bench.engine.call('datasets.show', { name: 'main' })).comparisons
  for (const offset of [...offsets, total - 50, total - 1]) {
    const page = await bench.engine.call('datasets.comparisons', { name: 'main', offset, limit: 50 })
    expect(page.rows.map((r) => r.id), `offset ${offset}`).toEqual(truth(offset))
    expect(page.total).toBe(total)
  }
}

test('pages of a dataset whose ids are broken by another dataset and by deletes', async () => {
  const engine = await interleaved()
  await expectPagesRight()
  // Curation deletes, near the start, across an anchor and at the end, as one action and as several.
  const ids = (offset: number, n = 1) => truth(offset, n)
  await engine.call('datasets.deleteComparisons', { name: 'main', ids: [...ids(3, 5), ...ids(anchorSpacing - 2, 4)] })
  await expectPagesRight()
  await engine.call('datasets.deleteComparisons', { name: 'main', ids: ids(2500) })
  await engine.call('datasets.deleteComparisons', { name: 'main', ids: ids(0) })
  await engine.call('datasets.deleteComparisons', { name: 'main', ids: ids(3580, 3) })
  await expectPagesRight()
  // Undo puts old ids back among newer ones.
  await engine.call('datasets.undo', { name: 'main' })
  await engine.call('datasets.undo', { name: 'main' })
  await expectPagesRight()
  await engine.call('datasets.undo', { name: 'main' })
  await engine.call('datasets.undo', { name: 'main' })
  expect((await engine.call('datasets.show', { name: 'main' })).comparisons).toBe(3600)
  await expectPagesRight()
})

test('rows moved by other writers, and a dataset made again under the same id, are noticed', async () => {
  const engine = await interleaved()
  await expectPagesRight()
  const db = engine.db
  const mainId = db.prepare("SELECT id FROM datasets WHERE name = 'main'").pluck().get() as number
  // Another feature deletes rows and moves one to another dataset, behind the curation's back.
  db.prepare('DELETE FROM comparisons WHERE id IN (SELECT id FROM comparisons WHERE dataset_id = ? ORDER BY id LIMIT 20 OFFSET 100)').run(mainId)
  await expectPagesRight()
  const otherId = db.prepare("SELECT id FROM datasets WHERE name = 'other'").pluck().get() as number
  db.prepare('UPDATE comparisons SET dataset_id = ? WHERE id = (SELECT min(id) FROM comparisons WHERE dataset_id = ?)').run(mainId, otherId)
  await expectPagesRight()
  // Appends keep older rows where they are.
  await engine.call('datasets.import', { dataset: 'main', path: bench.file('d.jsonl', jsonl(rows('d', 120))) })
  await expectPagesRight()

  // The newest dataset deleted and made again: SQLite may hand out its id again.
  await engine.call('datasets.delete', { name: 'main' })
  const before = await engine.call('datasets.import', { dataset: 'main', path: bench.file('e.jsonl', jsonl(rows('e', 2400))) })
  db.prepare('DELETE FROM comparisons WHERE id IN (SELECT id FROM comparisons WHERE dataset_id = ? ORDER BY id LIMIT 1 OFFSET 10)').run(before.dataset.id)
  await expectPagesRight()
})
