import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { JobProgress } from '../api/contract'
import { NashlabError } from '../api/errors'
import { jsonl, openBench, parquetBytes, snapshot, type TestBench } from './testing'

let bench: TestBench
beforeEach(() => {
  bench = openBench()
})
afterEach(() => bench.close())

const trlRows = [
  { prompt: 'What is 2+2?', chosen: '4', rejected: '5' },
  { prompt: 'What is 2+2?', chosen: '4', rejected: 'four-ish' },
  { prompt: 'Capital of France?', chosen: 'Paris', rejected: 'Lyon' },
]

async function pairs(name: string) {
  const page = await bench.engine.call('datasets.comparisons', { name, limit: 100 })
  return page.rows.map((r) => [r.prompt, r.responseA, r.responseB, r.outcome])
}

describe('importing each container', () => {
  const expected = [
    ['What is 2+2?', '4', '5', 'a'],
    ['What is 2+2?', '4', 'four-ish', 'a'],
    ['Capital of France?', 'Paris', 'Lyon', 'a'],
  ]
  const csv = 'prompt,chosen,rejected\n' + trlRows.map((r) => [r.prompt, r.chosen, r.rejected].map((v) => `"${v}"`).join(',')).join('\n') + '\n'
  const files: [string, string | Buffer][] = [
    ['rows.jsonl', jsonl(trlRows)],
    ['rows.json', JSON.stringify(trlRows, null, 2)],
    ['rows.csv', csv],
    ['rows.tsv', 'prompt\tchosen\trejected\n' + trlRows.map((r) => [r.prompt, r.chosen, r.rejected].join('\t')).join('\n')],
    ['rows.parquet', parquetBytes({ prompt: trlRows.map((r) => r.prompt), chosen: trlRows.map((r) => r.chosen), rejected: trlRows.map((r) => r.rejected) })],
  ]
  for (const [name, content] of files) {
    test(name, async () => {
      const result = await bench.engine.call('datasets.import', { dataset: 'd', path: bench.file(name, content) })
      expect(result).toMatchObject({ format: 'trl', schema: 'TRL preference, standard', rows: 3, prompts: 2, responses: 5, comparisons: 3, duplicates: 0 })
      expect(result.container).toBe(name.split('.')[1])
      expect(result.dataset).toMatchObject({ name: 'd', prompts: 2, responses: 5, comparisons: 3, feedback: 0 })
      expect(await pairs('d')).toEqual(expected)
    })
  }

  test('content sent by a browser', async () => {
    const result = await bench.engine.call('datasets.import', { dataset: 'd', content: jsonl(trlRows), fileName: 'picked.jsonl' })
    expect(result.comparisons).toBe(3)
  })
})

test('importing into an existing dataset appends, reusing stored prompts and responses', async () => {
  await bench.engine.call('datasets.import', { dataset: 'd', path: bench.file('a.jsonl', jsonl(trlRows)) })
  const second = await bench.engine.call('datasets.import', {
    dataset: 'd',
    path: bench.file('b.jsonl', jsonl([{ prompt: 'Capital of France?', chosen: 'Paris', rejected: 'Marseille', annotator: 'ann' }])),
  })
  expect(second).toMatchObject({ prompts: 0, responses: 1, comparisons: 1, duplicates: 0 })
  expect(second.dataset).toMatchObject({ prompts: 2, responses: 6, comparisons: 4 })
})

test('duplicates are reported with their lines, and kept or left out', async () => {
  const rows = [...trlRows, trlRows[0], { ...trlRows[0], annotator: 'someone' }, { prompt: trlRows[0].prompt, chosen: trlRows[0].rejected, rejected: trlRows[0].chosen }]
  const kept = await bench.engine.call('datasets.import', { dataset: 'kept', path: bench.file('dups.jsonl', jsonl(rows)) })
  // Row 4 repeats row 1; row 6 is the same pair in the other order (a repeated judgement); row 5
  // has another annotator, so it is a second opinion, not a duplicate.
  expect(kept).toMatchObject({ rows: 6, comparisons: 6, duplicates: 2, onDuplicate: 'keep' })
  expect(kept.duplicateExamples.map((w) => w.replace(bench.dir, ''))).toEqual(['/dups.jsonl, line 4', '/dups.jsonl, line 6'])
  const skipped = await bench.engine.call('datasets.import', { dataset: 'skipped', path: bench.file('dups.jsonl', jsonl(rows)), onDuplicate: 'skip' })
  expect(skipped).toMatchObject({ rows: 6, comparisons: 4, duplicates: 2, onDuplicate: 'skip' })
  const again = await bench.engine.call('datasets.import', { dataset: 'skipped', path: bench.file('dups.jsonl', jsonl(rows)), onDuplicate: 'skip' })
  expect(again).toMatchObject({ comparisons: 0, duplicates: 6 })
})

test('unpaired feedback and prompt-only rows are stored as what they are', async () => {
  const feedback = await bench.engine.call('datasets.import', {
    dataset: 'kto',
    path: bench.file('kto.jsonl', jsonl([{ prompt: 'p', completion: 'good', label: true }, { prompt: 'p', completion: 'bad', label: false }])),
  })
  expect(feedback).toMatchObject({ schema: 'TRL unpaired preference, standard', comparisons: 0, feedback: 2, prompts: 1, responses: 2 })
  expect(feedback.dataset).toMatchObject({ comparisons: 0, feedback: 2 })
  const page = await bench.engine.call('datasets.feedback', { name: 'kto' })
  expect(page.rows.map((r) => [r.completion, r.label])).toEqual([
    ['good', 1],
    ['bad', 0],
  ])
  const prompts = await bench.engine.call('datasets.import', { dataset: 'gen', path: bench.file('prompts.csv', 'prompt\nHello?\nBye?\nHello?\n') })
  expect(prompts).toMatchObject({ schema: 'TRL prompt-only, standard', prompts: 2, responses: 0, comparisons: 0, duplicates: 1 })
  expect((await bench.engine.call('datasets.prompts', { name: 'gen' })).rows.map((r) => r.text)).toEqual(['Hello?', 'Bye?'])
})

test('HH-RLHF and summarize-from-feedback files are detected', async () => {
  const hh = await bench.engine.call('datasets.import', {
    dataset: 'hh',
    path: bench.file('hh.jsonl', jsonl([{ chosen: '\n\nHuman: Hi\n\nAssistant: Hello!', rejected: '\n\nHuman: Hi\n\nAssistant: Go away.' }])),
  })
  expect(hh).toMatchObject({ format: 'hh-rlhf', comparisons: 1 })
  const tldr = await bench.engine.call('datasets.import', {
    dataset: 'tldr',
    path: bench.file(
      'batch1.json',
      jsonl([{ info: { post: 'P', title: 'T', subreddit: 's' }, summaries: [{ text: 'one', policy: 'a' }, { text: 'two', policy: 'b' }], choice: 1, worker: 'w1' }]),
    ),
  })
  expect(tldr).toMatchObject({ format: 'tldr', container: 'jsonl', comparisons: 1 })
  const detail = await bench.engine.call('datasets.comparison', { name: 'tldr', id: (await pairsIds('tldr'))[0] })
  expect(detail).toMatchObject({ outcome: 'b', annotator: 'w1', sourceA: 'import:a', sourceB: 'import:b' })
})

async function pairsIds(name: string) {
  return (await bench.engine.call('datasets.comparisons', { name })).rows.map((r) => r.id)
}

test('a conversational Parquet file with nested message lists', async () => {
  const { parquetWriteBuffer } = await import('hyparquet-writer')
  const messages = (role: string, content: string) => [{ role, content }]
  const bytes = Buffer.from(
    parquetWriteBuffer({
      columnData: [
        { name: 'prompt', data: [messages('user', 'Hi?'), messages('user', 'Bye?')] },
        { name: 'chosen', data: [messages('assistant', 'Hello.'), messages('assistant', 'Farewell.')] },
        { name: 'rejected', data: [messages('assistant', 'What.'), messages('assistant', 'No.')] },
        { name: 'extra', data: ['ignored', 'ignored'] },
      ],
    }),
  )
  const result = await bench.engine.call('datasets.import', { dataset: 'conv', path: bench.file('conv.parquet', bytes) })
  expect(result).toMatchObject({ schema: 'TRL preference, conversational', comparisons: 2 })
  expect(await pairs('conv')).toEqual([
    ['Hi?', 'Hello.', 'What.', 'a'],
    ['Bye?', 'Farewell.', 'No.', 'a'],
  ])
})

test('the format can be forced and a column mapping chosen', async () => {
  const file = bench.file('arena.csv', 'question,model_a_answer,model_b_answer,winner,judge\nq,x,y,model_b,j1\nq,x,y,tie,j2\n')
  const result = await bench.engine.call('datasets.import', {
    dataset: 'arena',
    path: file,
    format: 'map',
    map: { prompt: 'question', responseA: 'model_a_answer', responseB: 'model_b_answer', outcome: 'winner', annotator: 'judge' },
  })
  expect(result).toMatchObject({ format: 'map', comparisons: 2 })
  expect(await pairs('arena')).toEqual([
    ['q', 'x', 'y', 'b'],
    ['q', 'x', 'y', 'tie'],
  ])
  await expect(bench.engine.call('datasets.import', { dataset: 'arena', path: file, format: 'map' })).rejects.toThrow('The "map" format needs a column mapping')
  await expect(bench.engine.call('datasets.import', { dataset: 'arena', path: bench.file('t.jsonl', jsonl(trlRows)), format: 'tldr' })).rejects.toThrow(
    'the row is not a summarize-from-feedback comparison',
  )
})

test('progress is reported as jobs.progress events', async () => {
  const events: JobProgress[] = []
  const off = bench.engine.events.on('jobs.progress', (p) => events.push(p))
  const rows = Array.from({ length: 20_000 }, (_, i) => ({ prompt: `p${i % 500}`, chosen: `good ${i} ${'x'.repeat(100)}`, rejected: `bad ${i}` }))
  await bench.engine.call('datasets.import', { dataset: 'big', path: bench.file('big.jsonl', jsonl(rows)) })
  off()
  const imports = events.filter((e) => e.kind === 'datasets.import')
  expect(imports.length).toBeGreaterThanOrEqual(1)
  const last = imports[imports.length - 1]
  expect(last).toMatchObject({ unit: 'bytes', message: '20,000 rows' })
  expect(last.done).toBe(last.total)
})

test('a cancelled import writes nothing', async () => {
  const rows = Array.from({ length: 30_000 }, (_, i) => ({ prompt: `p${i}`, chosen: `good ${i}`, rejected: `bad ${i}` }))
  const file = bench.file('cancel.jsonl', jsonl(rows))
  const before = snapshot(bench.engine.db)
  const controller = new AbortController()
  const off = bench.engine.events.on('jobs.progress', (p) => p.kind === 'datasets.import' && controller.abort())
  const error = await bench.engine.call('datasets.import', { dataset: 'c', path: file }, { signal: controller.signal }).catch((e: unknown) => e)
  off()
  expect(error).toBeInstanceOf(NashlabError)
  expect((error as NashlabError).code).toBe('cancelled')
  expect(snapshot(bench.engine.db)).toBe(before)
})

test('preview shows the detected format, the columns and the first rows without writing', async () => {
  const before = snapshot(bench.engine.db)
  const preview = await bench.engine.call('datasets.preview', { path: bench.file('p.csv', 'question,response_j,response_k\nq,good,bad\n') })
  expect(preview).toMatchObject({
    container: 'csv',
    columns: ['question', 'response_j', 'response_k'],
    detected: null,
    suggestedMapping: { prompt: 'question', chosen: 'response_j', rejected: 'response_k' },
  })
  expect(preview.problem).toContain('not in a layout Nashlab recognises')
  const mapped = await bench.engine.call('datasets.preview', { path: bench.file('p.csv', 'question,response_j,response_k\nq,good,bad\n'), format: 'map', map: preview.suggestedMapping! })
  expect(mapped.detected).toEqual({ format: 'map', schema: 'column mapping: prompt, chosen, rejected', kind: 'comparison' })
  expect(mapped.items).toEqual([{ prompt: 'q', a: 'good', b: 'bad', outcome: 'a', annotator: null }])
  expect(snapshot(bench.engine.db)).toBe(before)
})

test('in a worker thread: the import commits as a job, and a bad row there rolls back too', async () => {
  const jobs: string[] = []
  const off = bench.engine.events.on('jobs.changed', (j) => jobs.push(`${j.kind} ${j.status}`))
  const result = await bench.engine.call('datasets.import', { dataset: 'w', path: bench.file('w.jsonl', jsonl(trlRows)), inWorker: true })
  expect(result).toMatchObject({ comparisons: 3, dataset: { name: 'w', comparisons: 3 } })
  expect(await pairs('w')).toHaveLength(3)
  const before = snapshot(bench.engine.db)
  const bad = bench.file('bad.jsonl', jsonl([...trlRows, { prompt: 'x', chosen: 'y' }]))
  await expect(bench.engine.call('datasets.import', { dataset: 'w', path: bad, inWorker: true })).rejects.toThrow(`${bad}, line 4: missing field "rejected"`)
  expect(snapshot(bench.engine.db)).toBe(before)
  off()
  expect(jobs).toEqual(['datasets.import queued', 'datasets.import running', 'datasets.import completed', 'datasets.import queued', 'datasets.import running', 'datasets.import failed'])
  const out = `${bench.dir}/w.csv`
  expect(await bench.engine.call('datasets.export', { name: 'w', format: 'csv', path: out, inWorker: true })).toMatchObject({ rows: 3 })
})
