import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { jsonl, openBench, type TestBench } from './testing'

let bench: TestBench
beforeEach(async () => {
  bench = openBench()
  const rows = [
    { prompt: 'Sky?', chosen: 'Blue, mostly.', rejected: 'Green', annotator: 'ann' },
    { prompt: 'Sky?', chosen: 'Blue, mostly.', rejected: 'Plaid' },
    { prompt: 'Say "hi"\non two lines', chosen: 'hi,\nthere', rejected: ' spaced ' },
  ]
  await bench.engine.call('datasets.import', { dataset: 'd', path: bench.file('in.jsonl', jsonl(rows)) })
})
afterEach(() => bench.close())

const lines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))

async function ids() {
  return (await bench.engine.call('datasets.comparisons', { name: 'd' })).rows.map((r) => r.id)
}

test('TRL JSONL: the winner is chosen; ties and both-bad are left out and counted', async () => {
  const [first, second, third] = await ids()
  await bench.engine.call('datasets.setOutcome', { name: 'd', ids: [second], outcome: 'b' })
  await bench.engine.call('datasets.setOutcome', { name: 'd', ids: [third], outcome: 'tie' })
  const out = path.join(bench.dir, 'out.jsonl')
  const result = await bench.engine.call('datasets.export', { name: 'd', format: 'trl-jsonl', path: out })
  expect(result).toMatchObject({ kind: 'comparisons', rows: 2, skipped: { ties: 1, bothBad: 0, flagged: 0 } })
  expect(result.bytes).toBe(fs.statSync(out).size)
  expect(lines(out)).toEqual([
    { prompt: 'Sky?', chosen: 'Blue, mostly.', rejected: 'Green', annotator: 'ann' },
    { prompt: 'Sky?', chosen: 'Plaid', rejected: 'Blue, mostly.' },
  ])
  void first
})

test('TRL conversational: texts become messages, stored conversations come back as they were', async () => {
  const conversation = [
    { role: 'system', content: 'Be kind.' },
    { role: 'user', content: 'Hello?' },
  ]
  await bench.engine.call('datasets.import', {
    dataset: 'conv',
    path: bench.file('c.jsonl', jsonl([{ prompt: conversation, chosen: [{ role: 'assistant', content: 'Hi!' }], rejected: [{ role: 'assistant', content: 'Bye.' }] }])),
  })
  const out = path.join(bench.dir, 'conv.jsonl')
  await bench.engine.call('datasets.export', { name: 'conv', format: 'trl-conversational', path: out })
  expect(lines(out)).toEqual([{ prompt: conversation, chosen: [{ role: 'assistant', content: 'Hi!' }], rejected: [{ role: 'assistant', content: 'Bye.' }] }])
  await bench.engine.call('datasets.export', { name: 'd', format: 'trl-conversational', path: out })
  expect(lines(out)[0]).toEqual({ prompt: [{ role: 'user', content: 'Sky?' }], chosen: [{ role: 'assistant', content: 'Blue, mostly.' }], rejected: [{ role: 'assistant', content: 'Green' }], annotator: 'ann' })
})

test('CSV and Parquet exports import back to the same comparisons', async () => {
  const before = (await bench.engine.call('datasets.comparisons', { name: 'd' })).rows.map((r) => [r.prompt, r.responseA, r.responseB, r.outcome, r.annotator])
  for (const format of ['csv', 'parquet'] as const) {
    const out = path.join(bench.dir, `out.${format}`)
    const result = await bench.engine.call('datasets.export', { name: 'd', format, path: out })
    expect(result.rows).toBe(3)
    const back = await bench.engine.call('datasets.import', { dataset: `back-${format}`, path: out })
    expect(back).toMatchObject({ schema: 'TRL preference, standard', comparisons: 3 })
    const after = (await bench.engine.call('datasets.comparisons', { name: `back-${format}` })).rows.map((r) => [r.prompt, r.responseA, r.responseB, r.outcome, r.annotator])
    expect(after).toEqual(before)
  }
  expect(fs.readFileSync(path.join(bench.dir, 'out.csv'), 'utf8').split('\r\n')[0]).toBe('prompt,chosen,rejected,annotator')
})

test('flagged rows can be left out; feedback and prompts export in their own layouts', async () => {
  const [first] = await ids()
  await bench.engine.call('datasets.flag', { name: 'd', ids: [first] })
  const out = path.join(bench.dir, 'unflagged.jsonl')
  expect(await bench.engine.call('datasets.export', { name: 'd', format: 'trl-jsonl', path: out, excludeFlagged: true })).toMatchObject({ rows: 2, skipped: { flagged: 1 } })

  await bench.engine.call('datasets.import', { dataset: 'kto', path: bench.file('k.jsonl', jsonl([{ prompt: 'p', completion: 'c', label: true }])) })
  const kto = path.join(bench.dir, 'kto.parquet')
  expect(await bench.engine.call('datasets.export', { name: 'kto', format: 'parquet', path: kto })).toMatchObject({ kind: 'feedback', rows: 1 })
  const back = await bench.engine.call('datasets.import', { dataset: 'kto-back', path: kto })
  expect(back).toMatchObject({ schema: 'TRL unpaired preference, standard', feedback: 1 })
  const prompts = path.join(bench.dir, 'prompts.jsonl')
  expect(await bench.engine.call('datasets.export', { name: 'd', format: 'trl-jsonl', path: prompts, kind: 'prompts' })).toMatchObject({ kind: 'prompts', rows: 2 })
  expect(lines(prompts)).toEqual([{ prompt: 'Sky?' }, { prompt: 'Say "hi"\non two lines' }])
})

test('an export that cannot be written leaves no file behind', async () => {
  await expect(bench.engine.call('datasets.export', { name: 'd', format: 'csv', path: path.join(bench.dir, 'missing', 'x.csv') })).rejects.toThrow('its folder does not exist')
  const [a, b, c] = await ids()
  await bench.engine.call('datasets.setOutcome', { name: 'd', ids: [a, b, c], outcome: 'both_bad' })
  const out = path.join(bench.dir, 'none.jsonl')
  await expect(bench.engine.call('datasets.export', { name: 'd', format: 'trl-jsonl', path: out })).rejects.toThrow('every row was skipped (0 ties, 3 both bad, 0 flagged)')
  expect(fs.readdirSync(bench.dir).filter((f) => f.includes('none'))).toEqual([])
})
