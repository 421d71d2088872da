import Database from 'better-sqlite3'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { jsonl, openBench, type TestBench } from '../data/testing'
import { openDatabase } from './db'
import { latestVersion } from './migrations/index'
import { DatasetRepository } from './datasets'
import * as m001 from './migrations/001_initial'

let bench: TestBench
beforeEach(() => {
  bench = openBench()
})
afterEach(() => bench.close())

const rows = (tag: string, n: number) => Array.from({ length: n }, (_, i) => ({ prompt: `${tag} prompt ${i % 3}`, chosen: `${tag} good ${i}`, rejected: `${tag} bad ${i}` }))

test('counts follow every insert and delete, whoever writes', async () => {
  await bench.engine.call('datasets.import', { dataset: 'd', path: bench.file('a.jsonl', jsonl(rows('a', 9))) })
  const db = bench.engine.db
  const id = (db.prepare("SELECT id FROM datasets WHERE name = 'd'").pluck().get() as number)
  // A vote written by hand, as another feature might.
  const prompt = db.prepare('SELECT id FROM prompts WHERE dataset_id = ? LIMIT 1').pluck().get(id) as number
  const r1 = Number(db.prepare("INSERT INTO responses (prompt_id, text, source) VALUES (?, 'human one', 'human')").run(prompt).lastInsertRowid)
  const r2 = Number(db.prepare("INSERT INTO responses (prompt_id, text, source) VALUES (?, 'human two', 'human')").run(prompt).lastInsertRowid)
  db.prepare("INSERT INTO comparisons (dataset_id, prompt_id, response_a, response_b, outcome, source, shown_left) VALUES (?, ?, ?, ?, 'b', 'human', 'a')").run(id, prompt, r1, r2)
  expect(await bench.engine.call('datasets.show', { name: 'd' })).toMatchObject({ prompts: 3, responses: 20, comparisons: 10 })
  db.prepare('DELETE FROM prompts WHERE id = ?').run(prompt)
  const truth = db.prepare(`SELECT (SELECT count(*) FROM prompts WHERE dataset_id = ?) AS prompts,
      (SELECT count(*) FROM responses r JOIN prompts p ON p.id = r.prompt_id WHERE p.dataset_id = ?) AS responses,
      (SELECT count(*) FROM comparisons WHERE dataset_id = ?) AS comparisons`).get(id, id, id)
  expect(await bench.engine.call('datasets.show', { name: 'd' })).toMatchObject(truth as object)
})

test('deleting a dataset removes its rows and search entries, and leaves the others', async () => {
  await bench.engine.call('datasets.import', { dataset: 'keep', path: bench.file('a.jsonl', jsonl(rows('keep', 6))) })
  await bench.engine.call('datasets.import', { dataset: 'drop', path: bench.file('b.jsonl', jsonl(rows('drop', 6))) })
  await bench.engine.call('datasets.index', {})
  const db = bench.engine.db
  const dropId = db.prepare("SELECT id FROM datasets WHERE name = 'drop'").pluck().get() as number
  db.prepare("INSERT INTO runs (algorithm, config, status, dataset_id) VALUES ('nash-md-pg', '{}', 'completed', ?)").run(dropId)
  await bench.engine.call('datasets.delete', { name: 'drop' })
  expect((await bench.engine.call('datasets.list', {})).map((d) => [d.name, d.comparisons])).toEqual([['keep', 6]])
  expect(db.prepare('SELECT count(*) FROM prompts').pluck().get()).toBe(3)
  expect(db.prepare('SELECT count(*) FROM responses').pluck().get()).toBe(12)
  expect(db.prepare('SELECT dataset_id FROM runs').pluck().get()).toBeNull()
  expect(db.pragma('foreign_key_check')).toEqual([])
  expect((await bench.engine.call('datasets.comparisons', { name: 'keep', query: 'good' })).total).toBe(6)
  expect(db.prepare("SELECT count(*) FROM comparison_search WHERE comparison_search MATCH 'drop'").pluck().get()).toBe(0)
})

test('a delete that another table forbids changes nothing and says why', async () => {
  await bench.engine.call('datasets.import', { dataset: 'd', path: bench.file('a.jsonl', jsonl(rows('x', 3))) })
  const db = bench.engine.db
  db.exec('CREATE TABLE notes (prompt_id INTEGER NOT NULL REFERENCES prompts(id)) STRICT')
  db.prepare('INSERT INTO notes VALUES ((SELECT min(id) FROM prompts))').run()
  await expect(bench.engine.call('datasets.delete', { name: 'd' })).rejects.toThrow('The dataset "d" cannot be deleted: other records still refer to its rows. Nothing was deleted.')
  expect(await bench.engine.call('datasets.show', { name: 'd' })).toMatchObject({ comparisons: 3, prompts: 3 })
  expect(new DatasetRepository(db).list()).toHaveLength(1)
})

test('a version 1 database keeps its data and gains counts and search', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-v1-'))
  const file = path.join(dir, 'old.db')
  const old = new Database(file)
  old.exec(m001.up)
  old.pragma('user_version = 1')
  old.exec(`INSERT INTO datasets (name) VALUES ('legacy');
    INSERT INTO prompts (dataset_id, text) VALUES (1, 'Old question');
    INSERT INTO responses (prompt_id, text) VALUES (1, 'old yes'), (1, 'old no');
    INSERT INTO comparisons (dataset_id, prompt_id, response_a, response_b, outcome) VALUES (1, 1, 1, 2, 'a');`)
  old.close()
  const db = openDatabase(file)
  try {
    const repo = new DatasetRepository(db)
    expect(repo.get('legacy')).toMatchObject({ prompts: 1, responses: 2, comparisons: 1, feedback: 0 })
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion)
  } finally {
    db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('a delete in a worker thread takes one dataset whole and leaves its neighbours and their undo history', async () => {
  const { engine } = bench
  for (const name of ['before', 'middle', 'after']) await engine.call('datasets.import', { dataset: name, path: bench.file(`${name}.jsonl`, jsonl(rows(name, 30))) })
  await engine.call('datasets.index', {})
  const pages = async (name: string) => (await engine.call('datasets.comparisons', { name, offset: 0, limit: 100 })).rows
  const first = (await pages('after'))[0].id
  await engine.call('datasets.setOutcome', { name: 'after', ids: [first], outcome: 'tie' })
  const kept = { before: await pages('before'), after: await pages('after') }
  const progress: number[] = []
  const off = engine.events.on('jobs.progress', (p) => p.kind === 'datasets.delete' && progress.push(p.done))
  const deleting = engine.call('datasets.delete', { name: 'middle', inWorker: true })
  // The engine answers at once (the rows go in the worker), showing the dataset whole until the delete commits.
  expect((await engine.call('datasets.show', { name: 'middle' })).comparisons).toBe(30)
  expect(await deleting).toEqual({ deleted: 'middle' })
  off()
  expect(progress.at(-1)).toBe(6)
  expect((await engine.call('datasets.list', {})).map((d) => d.name)).toEqual(['after', 'before'])
  expect({ before: await pages('before'), after: await pages('after') }).toEqual(kept)
  expect((await engine.call('datasets.comparisons', { name: 'before', query: 'good' })).total).toBe(30)
  expect((await engine.call('datasets.comparisons', { name: 'after', query: 'middle' })).total).toBe(0)
  const undone = await engine.call('datasets.undo', { name: 'after' })
  expect(undone.edit?.comparisons).toEqual([first])
  expect(engine.db.pragma('foreign_key_check')).toEqual([])
  await expect(engine.call('datasets.delete', { name: 'middle' })).rejects.toThrow('There is no dataset named "middle".')
})
