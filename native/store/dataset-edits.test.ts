import { afterEach, beforeEach, expect, test } from 'vitest'
import { jsonl, openBench, snapshot, type TestBench } from '../data/testing'

let bench: TestBench
let ids: number[]
beforeEach(async () => {
  bench = openBench()
  const rows = [
    { prompt: 'Capital of France?', chosen: 'Paris', rejected: 'Lyon' },
    { prompt: 'Capital of Spain?', chosen: 'Madrid', rejected: 'Seville' },
    { prompt: 'Capital of Italy?', chosen: 'Rome', rejected: 'Milan' },
  ]
  await bench.engine.call('datasets.import', { dataset: 'd', path: bench.file('a.jsonl', jsonl(rows)) })
  ids = (await bench.engine.call('datasets.comparisons', { name: 'd' })).rows.map((r) => r.id)
})
afterEach(() => bench.close())

const call = <M extends 'datasets.setOutcome' | 'datasets.flag' | 'datasets.deleteComparisons' | 'datasets.undo'>(m: M, input: object) =>
  bench.engine.call(m, { name: 'd', ...input } as never)

test('an outcome change is logged and undone', async () => {
  const before = snapshot(bench.engine.db)
  const changed = await call('datasets.setOutcome', { ids: [ids[0]], outcome: 'tie' })
  expect(changed.edit).toMatchObject({ action: 'outcome', comparisons: [ids[0]], description: `Changed the outcome of comparison ${ids[0]} to tie.` })
  expect(changed.undoable).toBe(1)
  expect((await bench.engine.call('datasets.comparison', { name: 'd', id: ids[0] })).outcome).toBe('tie')
  // Setting the same outcome again changes nothing and logs nothing.
  expect((await call('datasets.setOutcome', { ids: [ids[0]], outcome: 'tie' })).edit).toBeNull()
  const undone = await call('datasets.undo', {})
  expect(undone).toMatchObject({ edit: { action: 'outcome' }, undoable: 0 })
  expect((await bench.engine.call('datasets.comparison', { name: 'd', id: ids[0] })).outcome).toBe('a')
  // Only the log's undone mark differs from the start, and the count of filtered-column changes
  // that tells filtered pages their anchors moved (dataset_counts' filter_version, migration 006).
  const after = JSON.parse(snapshot(bench.engine.db))
  const start = JSON.parse(before)
  const columns = (bench.engine.db.prepare("SELECT name FROM pragma_table_info('dataset_counts')").pluck().all() as string[])
  const filterVersion = columns.indexOf('filter_version')
  const counts = (dump: { dataset_counts: string[] }) => dump.dataset_counts.map((row) => (JSON.parse(row) as unknown[]).filter((_v, i) => i !== filterVersion))
  expect(counts(after)).toEqual(counts(start))
  expect({ ...after, dataset_edits: [], dataset_counts: [] }).toEqual({ ...start, dataset_edits: [], dataset_counts: [] })
  expect((await call('datasets.undo', {})).edit).toBeNull()
})

test('a delete is undone with the same id, counts and search index', async () => {
  await bench.engine.call('datasets.index', {})
  const search = async (q: string) => (await bench.engine.call('datasets.comparisons', { name: 'd', query: q })).rows.map((r) => r.id)
  expect(await search('Madrid')).toEqual([ids[1]])
  const deleted = await call('datasets.deleteComparisons', { ids: [ids[1], ids[2]] })
  expect(deleted.edit?.description).toBe('Deleted 2 comparisons.')
  expect(deleted.dataset.comparisons).toBe(1)
  expect(await search('Madrid')).toEqual([])
  const undone = await call('datasets.undo', {})
  expect(undone.dataset.comparisons).toBe(3)
  expect(await search('Madrid')).toEqual([ids[1]])
  expect((await bench.engine.call('datasets.comparisons', { name: 'd' })).rows.map((r) => r.id)).toEqual(ids)
})

test('undo walks back through batches, newest first', async () => {
  await call('datasets.flag', { ids: [ids[0], ids[1]] })
  await call('datasets.setOutcome', { ids: [ids[0]], outcome: 'b' })
  await call('datasets.deleteComparisons', { ids: [ids[2]] })
  const edits = await bench.engine.call('datasets.edits', { name: 'd' })
  expect(edits.map((e) => e.action)).toEqual(['delete', 'outcome', 'flag'])
  expect((await call('datasets.undo', {})).edit?.action).toBe('delete')
  expect((await call('datasets.undo', {})).edit?.action).toBe('outcome')
  const flags = await bench.engine.call('datasets.stats', { name: 'd' })
  expect(flags).toMatchObject({ flagged: 2, outcomes: { a: 3, b: 0 }, undoable: 1 })
  expect((await call('datasets.undo', {})).edit?.description).toBe('Flagged 2 comparisons.')
  expect((await bench.engine.call('datasets.stats', { name: 'd' })).flagged).toBe(0)
})

test('edits name comparisons that are not in the dataset and change nothing', async () => {
  const before = snapshot(bench.engine.db)
  await expect(call('datasets.setOutcome', { ids: [ids[0], 9999], outcome: 'b' })).rejects.toThrow('This dataset has no comparison 9999. Nothing was changed.')
  expect(snapshot(bench.engine.db)).toBe(before)
})

test('filters page by flag, outcome and annotator', async () => {
  await call('datasets.flag', { ids: [ids[2]] })
  await call('datasets.setOutcome', { ids: [ids[1]], outcome: 'both_bad' })
  const page = (input: object) => bench.engine.call('datasets.comparisons', { name: 'd', ...input }).then((p) => [p.total, p.rows.map((r) => r.id)])
  expect(await page({ flagged: true })).toEqual([1, [ids[2]]])
  expect(await page({ outcome: 'both_bad' })).toEqual([1, [ids[1]]])
  expect(await page({ annotator: '' })).toEqual([3, ids])
  expect(await page({ offset: 1, limit: 1 })).toEqual([3, [ids[1]]])
})

test('pages are the same whether the ids are one run or broken by deletes', async () => {
  const rows = Array.from({ length: 30 }, (_, i) => ({ prompt: `p${i}`, chosen: `c${i}`, rejected: `r${i}` }))
  await bench.engine.call('datasets.import', { dataset: 'd', path: bench.file('more.jsonl', jsonl(rows)) })
  const all = (await bench.engine.call('datasets.comparisons', { name: 'd', limit: 100 })).rows.map((r) => r.id)
  const page = async (offset: number) => (await bench.engine.call('datasets.comparisons', { name: 'd', offset, limit: 7 })).rows.map((r) => r.id)
  expect(await page(10)).toEqual(all.slice(10, 17))
  await bench.engine.call('datasets.deleteComparisons', { name: 'd', ids: [all[3], all[12]] })
  const left = all.filter((id) => id !== all[3] && id !== all[12])
  expect(await page(10)).toEqual(left.slice(10, 17))
  expect(await page(28)).toEqual(left.slice(28))
})
