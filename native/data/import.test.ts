import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { NashlabError } from '../api/errors'
import { openDatabase, type Db } from '../store/db'
import { DatasetRepository } from '../store/datasets'
import { importPreferences } from './import'

let dir: string
let db: Db
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-import-'))
  db = openDatabase(path.join(dir, 'nashlab.db'))
})
afterEach(() => {
  db.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

function write(name: string, lines: unknown[]): string {
  const file = path.join(dir, name)
  fs.writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'))
  return file
}

test('imports TRL rows, interning prompts and responses, and appends to an existing dataset', () => {
  const file = write('a.jsonl', [
    { prompt: 'Why?', chosen: 'Because.', rejected: 'No.' },
    { prompt: 'Why?', chosen: 'Because.', rejected: 'Maybe.' },
    '',
    { prompt: 'How?', chosen: 'Carefully.', rejected: 'Badly.' },
  ])
  const first = importPreferences(db, { dataset: 'd', path: file, format: 'auto' })
  expect(first).toMatchObject({ rows: 3, prompts: 2, responses: 5, comparisons: 3, duplicates: 0 })
  const second = importPreferences(db, { dataset: 'd', path: file, format: 'auto' })
  expect(second).toMatchObject({ rows: 3, prompts: 0, responses: 0, comparisons: 3, duplicates: 3 })
  expect(second.dataset).toMatchObject({ prompts: 2, responses: 5, comparisons: 6 })
})

test.each([
  ['a malformed JSON line', ['{"prompt":"p","chosen":"a","rejected":"b"}', '{"prompt": "p", "chosen": '], /line 2: not valid JSON/, { line: 2 }],
  ['a missing field', [{ prompt: 'p', chosen: 'a', rejected: 'b' }, { prompt: 'p', chosen: 'a' }], /line 2: missing field "rejected"/, { line: 2, field: 'rejected' }],
  ['a wrong type', [{ prompt: 'p', chosen: 7, rejected: 'b' }], /line 1: field "chosen" must be a string, got a number/, { line: 1, field: 'chosen' }],
  ['a non-object row', ['[1, 2]'], /line 1: expected a JSON object/, { line: 1 }],
])('%s is reported with its line and nothing is written', (_what, lines, message, details) => {
  const repo = new DatasetRepository(db)
  repo.create('existing')
  const good = write('good.jsonl', [{ prompt: 'q', chosen: 'x', rejected: 'y' }])
  importPreferences(db, { dataset: 'existing', path: good, format: 'auto' })
  const before = JSON.stringify(repo.list())

  const bad = write('bad.jsonl', lines)
  let error: unknown
  try {
    importPreferences(db, { dataset: 'existing', path: bad, format: 'auto' })
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(NashlabError)
  expect((error as NashlabError).message).toMatch(message)
  expect((error as NashlabError).message).toContain('bad.jsonl')
  expect((error as NashlabError).details).toMatchObject({ file: bad, ...details })
  expect(JSON.stringify(repo.list())).toBe(before)
  // A new dataset named by a failed import is not left behind either.
  expect(() => importPreferences(db, { dataset: 'fresh', path: bad, format: 'auto' })).toThrow()
  expect(repo.find('fresh')).toBeUndefined()
})

test('an empty file is refused', () => {
  const file = write('empty.jsonl', [])
  expect(() => importPreferences(db, { dataset: 'd', path: file, format: 'auto' })).toThrow(/holds no rows/)
})

test('content sent by a browser imports like a file', () => {
  const result = importPreferences(db, {
    dataset: 'web',
    content: '{"prompt":"p","chosen":"a","rejected":"b"}\r\n',
    fileName: 'upload.jsonl',
    format: 'auto',
  })
  expect(result.comparisons).toBe(1)
})
