import { afterEach, beforeEach, expect, test } from 'vitest'
import { jsonl, openBench, type TestBench } from '../data/testing'
import { literalQuery, searchCountAhead } from './dataset-rows'
import { SearchIndexer } from './search-index'

let bench: TestBench
beforeEach(() => {
  bench = openBench()
})
afterEach(() => bench.close())

const rows = (n: number, word = 'apple') =>
  Array.from({ length: n }, (_, i) => ({ prompt: `Question ${i} about ${i % 2 ? word : 'pears'}`, chosen: `Good answer ${i}`, rejected: `Bad answer ${i} naïve` }))

test('imports leave indexing to the indexer, which moves its mark in steps', async () => {
  await bench.engine.call('datasets.import', { dataset: 'd', path: bench.file('a.jsonl', jsonl(rows(1200))) })
  const indexer = new SearchIndexer(bench.engine.db)
  expect(indexer.mark('comparison_search')).toBe(0)
  expect(indexer.pending('comparison_search')).toBe(1200)
  const first = indexer.step('comparison_search', 0)
  expect(first).toEqual({ indexed: 500, done: false })
  expect(indexer.coverage('comparison_search', 1)).toEqual({ indexed: 500, total: 1200 })
  expect(indexer.step('comparison_search', 10_000)).toEqual({ indexed: 700, done: true })
  expect(indexer.coverage('comparison_search', 1)).toBeNull()
})

test('a search finds words, phrases, prefixes and accented text, in rowid order', async () => {
  await bench.engine.call('datasets.import', { dataset: 'd', path: bench.file('a.jsonl', jsonl(rows(40))) })
  const search = async (query: string) => {
    const page = await bench.engine.call('datasets.comparisons', { name: 'd', query, limit: 100 })
    return { total: page.total, first: page.rows[0]?.prompt, query: page.query }
  }
  expect(await search('apple')).toEqual({ total: 20, first: 'Question 1 about apple', query: 'apple' })
  expect(await search('"answer 7"')).toMatchObject({ total: 1 })
  expect(await search('Ques*')).toMatchObject({ total: 40 })
  expect(await search('naive')).toMatchObject({ total: 40 })
  expect(await search('apple NOT pears')).toMatchObject({ total: 20 })
  expect(await search('a:good')).toMatchObject({ total: 40 })
})

test('text that is not valid FTS5 syntax is searched as literal words', async () => {
  await bench.engine.call('datasets.import', { dataset: 'd', path: bench.file('a.jsonl', jsonl([{ prompt: "Don't panic - 42", chosen: 'c++ rocks', rejected: 'x' }])) })
  expect(literalQuery('c++ "x')).toBe('"c++" """x"')
  for (const q of ['c++', "don't", '"unclosed', '- 42', 'AND', '(']) {
    const page = await bench.engine.call('datasets.comparisons', { name: 'd', query: q })
    expect(page.rows.length, q).toBeLessThanOrEqual(1)
  }
  expect((await bench.engine.call('datasets.comparisons', { name: 'd', query: 'c++' })).total).toBe(1)
  expect((await bench.engine.call('datasets.comparisons', { name: 'd', query: "don't" })).total).toBe(1)
})

test('searches stay within their dataset and count up to the cap', async () => {
  await bench.engine.call('datasets.import', { dataset: 'one', path: bench.file('a.jsonl', jsonl(rows(30))) })
  await bench.engine.call('datasets.import', { dataset: 'two', path: bench.file('b.jsonl', jsonl(rows(10, 'banana'))) })
  await bench.engine.call('datasets.import', { dataset: 'one', path: bench.file('c.jsonl', jsonl(rows(4, 'banana'))) })
  const total = async (name: string, query: string) => (await bench.engine.call('datasets.comparisons', { name, query })).total
  expect(await total('one', 'banana')).toBe(2)
  expect(await total('two', 'banana')).toBe(5)
  expect(await total('two', 'apple')).toBe(0)
})

test('the workbench indexes large imports in the background and says how far it got', async () => {
  const web = await import('../data/testing').then((m) => m.openBench('web'))
  try {
    const indexed: [number, number | null][] = []
    web.engine.events.on('jobs.progress', (p) => p.kind === 'datasets.index' && indexed.push([p.done, p.total]))
    await web.engine.call('datasets.import', { dataset: 'd', path: web.file('a.jsonl', jsonl(rows(25_000))) })
    const early = await web.engine.call('datasets.comparisons', { name: 'd', query: 'apple' })
    expect(early.searchCoverage?.total).toBe(25_000)
    expect(early.searchCoverage!.indexed).toBeLessThan(25_000)
    await expect.poll(async () => (await web.engine.call('datasets.comparisons', { name: 'd', query: 'apple' })).searchCoverage, { timeout: 30_000 }).toBeUndefined()
    // It went in steps, reported as a job.
    expect(indexed.length).toBeGreaterThan(1)
    const [done, total] = indexed.at(-1)!
    expect(done).toBe(total)
    // 12,500 match; the count stops a little past the page and says there are more.
    const first = await web.engine.call('datasets.comparisons', { name: 'd', query: 'apple', limit: 50 })
    expect(first).toMatchObject({ total: 50 + searchCountAhead, totalIsLowerBound: true })
    const deep = await web.engine.call('datasets.comparisons', { name: 'd', query: 'apple', offset: 12_000, limit: 50 })
    expect(deep).toMatchObject({ total: 12_500 })
    expect(deep.totalIsLowerBound).toBeUndefined()
  } finally {
    await web.close()
  }
})
