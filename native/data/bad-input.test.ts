/**
 * Bad input, one test each: the error names the file and the line, row or field, and the
 * database is exactly as it was before the import (every table, the search index's shadow tables
 * included), whether the import targeted a new dataset or appended to an existing one.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { NashlabError } from '../api/errors'
import { jsonl, openBench, parquetBytes, snapshot, type TestBench } from './testing'

let bench: TestBench
beforeAll(async () => {
  bench = openBench()
  // Something to append to, so "exactly as before" covers an existing dataset too.
  const seed = bench.file('seed.jsonl', jsonl([{ prompt: 'p', chosen: 'yes', rejected: 'no' }]))
  await bench.engine.call('datasets.import', { dataset: 'existing', path: seed })
  await bench.engine.call('datasets.index', {})
})
afterAll(() => bench.close())

/** Import `file` into a new and an existing dataset; both must fail alike and change nothing. */
async function refused(name: string, content: string | Buffer, extra: Record<string, unknown> = {}): Promise<NashlabError> {
  const path = bench.file(name, content)
  const before = snapshot(bench.engine.db)
  const errors: NashlabError[] = []
  for (const dataset of ['fresh', 'existing']) {
    const error = await bench.engine.call('datasets.import', { dataset, path, ...extra }).then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(NashlabError)
    errors.push(error as NashlabError)
    expect(snapshot(bench.engine.db)).toBe(before)
  }
  expect(errors[0].message.replaceAll(bench.dir, '')).toBe(errors[1].message.replaceAll(bench.dir, ''))
  expect((await bench.engine.call('datasets.list', {})).map((d) => d.name)).toEqual(['existing'])
  expect(errors[0].message).toContain('Nothing was imported.')
  return errors[0]
}

describe('bad input leaves the database as it was', () => {
  test('a malformed JSON line', async () => {
    const e = await refused('broken.jsonl', '{"prompt":"a","chosen":"b","rejected":"c"}\n{"prompt":"a","chosen":"b",\n')
    expect(e.code).toBe('bad_file')
    expect(e.message).toMatch(/broken\.jsonl, line 2: not valid JSON \(.+\)\. Nothing was imported\./)
    expect(e.details).toMatchObject({ line: 2 })
  })

  test('a missing column', async () => {
    const e = await refused('missing.csv', 'prompt,chosen,rejected\nq,a,b\n', { format: 'map', map: { prompt: 'prompt', chosen: 'chosen', rejected: 'dispreferred' } })
    expect(e.message).toContain('missing.csv, row 1 (line 2): the mapping puts rejected in column "dispreferred", which the file does not have (it has "prompt", "chosen", "rejected")')
    const later = await refused('missing-later.jsonl', jsonl([{ prompt: 'a', chosen: 'b', rejected: 'c' }, { prompt: 'a', chosen: 'b' }]))
    expect(later.message).toContain('missing-later.jsonl, line 2: missing field "rejected"')
    expect(later.details).toMatchObject({ line: 2, field: 'rejected' })
  })

  test('misnamed columns', async () => {
    const e = await refused('misnamed.csv', 'question,good,bad\nq,a,b\n')
    expect(e.message).toContain('misnamed.csv, row 1 (line 2): the row is not in a layout Nashlab recognises (its fields are "question", "good", "bad")')
    expect(e.message).toContain('choose a column mapping (--format map --map JSON)')
  })

  test('wrong types', async () => {
    const e = await refused('types.jsonl', jsonl([{ prompt: 'a', chosen: 'b', rejected: 'c' }, { prompt: 'a', chosen: ['not', 'messages'], rejected: 'c' }]))
    expect(e.message).toContain('types.jsonl, line 2: message 1 of "chosen" must be an object with role and content, got a string')
    const label = await refused('label.jsonl', jsonl([{ prompt: 'a', completion: 'b', label: 'perhaps' }]))
    expect(label.message).toContain('label.jsonl, line 1: field "label" must be true or false, got "perhaps"')
    const row = await refused('row.json', '[{"prompt": "a", "chosen": "b", "rejected": "c"}, 42]')
    expect(row.message).toContain('row.json, row 2 (line 1): expected an object of named fields, got a number')
  })

  test('a 10 MB field', async () => {
    const big = 'x'.repeat(10 * 1000 * 1000)
    const e = await refused('big.jsonl', jsonl([{ prompt: 'a', chosen: 'b', rejected: 'c' }, { prompt: 'a', chosen: big, rejected: 'c' }]))
    expect(e.message).toContain('big.jsonl, line 2: field "chosen" holds 10,000,000 characters; the largest text Nashlab takes is 1,048,576 (raise it with --max-field-chars)')
    expect(e.details).toMatchObject({ line: 2, field: 'chosen' })
  })

  test('invalid UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('prompt,chosen,rejected\nq,a,b\nq,caf'), Buffer.from([0xe9]), Buffer.from(',b\n')])
    const e = await refused('latin1.csv', bytes)
    expect(e.message).toContain('latin1.csv, line 3: not valid UTF-8 (byte 6 of the line is 0xe9); save the file as UTF-8')
  })

  test('an empty file', async () => {
    expect((await refused('empty.jsonl', '')).message).toMatch(/empty\.jsonl: is empty\. Nothing was imported\.$/)
    expect((await refused('blank.jsonl', '\n\n  \n')).message).toContain('blank.jsonl: is empty (it holds only white space)')
    expect((await refused('header.csv', 'prompt,chosen,rejected\n')).message).toContain('header.csv: has a header but no rows')
    expect((await refused('none.json', '[]')).message).toContain('none.json: holds no rows')
  })

  test('a file whose content is not what its extension says', async () => {
    const csv = await refused('rows.parquet', 'prompt,chosen,rejected\nq,a,b\n')
    expect(csv.message).toContain('rows.parquet: has the extension .parquet but its content looks like CSV')
    const parquet = await refused('rows.jsonl', parquetBytes({ prompt: ['q'], chosen: ['a'], rejected: ['b'] }))
    expect(parquet.message).toContain('rows.jsonl: has the extension .jsonl but its content looks like Parquet')
  })

  test('a Parquet file cut short', async () => {
    const whole = parquetBytes({ prompt: ['q1', 'q2'], chosen: ['a', 'b'], rejected: ['c', 'd'] })
    for (const keep of [whole.length - 1, Math.floor(whole.length / 2), 8]) {
      const e = await refused(`cut-${keep}.parquet`, whole.subarray(0, keep))
      expect(e.message).toMatch(new RegExp(`cut-${keep}\\.parquet: is not a (readable )?Parquet file`))
    }
  })
})
