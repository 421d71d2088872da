import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, test } from 'vitest'
import { NashlabError } from '../api/errors'
import { openDatabase, schemaVersion } from './db'
import { latestVersion } from './migrations/index'

const dirs: string[] = []
function tempFile(name = 'nashlab.db'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-db-'))
  dirs.push(dir)
  return path.join(dir, name)
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

describe('openDatabase', () => {
  test('creates the schema with WAL, foreign keys and STRICT tables', () => {
    const db = openDatabase(tempFile())
    expect(schemaVersion(db)).toBe(latestVersion)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    // STRICT: a text where an integer belongs is refused, not coerced.
    expect(() => db.prepare("INSERT INTO prompts (dataset_id, text) VALUES ('x', 'p')").run()).toThrow(/cannot store TEXT value in INTEGER column/)
    // Foreign keys: a prompt of a missing dataset is refused.
    expect(() => db.prepare('INSERT INTO prompts (dataset_id, text) VALUES (42, ?)').run('p')).toThrow(/FOREIGN KEY/)
    db.close()
  })

  test('reopening applies nothing twice', () => {
    const file = tempFile()
    openDatabase(file).close()
    const db = openDatabase(file)
    expect(schemaVersion(db)).toBe(latestVersion)
    db.close()
  })

  test('a database from a newer Nashlab is refused with a clear error and left untouched', () => {
    const file = tempFile()
    const raw = new Database(file)
    raw.exec('CREATE TABLE future (x INTEGER)')
    raw.pragma(`user_version = ${latestVersion + 5}`)
    raw.close()
    const before = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
    const listing = fs.readdirSync(path.dirname(file)).sort()

    let error: unknown
    try {
      openDatabase(file)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(NashlabError)
    expect((error as NashlabError).code).toBe('schema_too_new')
    expect((error as NashlabError).message).toContain(`schema version ${latestVersion + 5}`)
    expect((error as NashlabError).message).toContain('was not changed')
    expect(crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(before)
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(listing)
  })
})

test('a writer killed with SIGKILL mid-transaction leaves a whole database with only committed batches', async () => {
  const file = tempFile()
  openDatabase(file).close()
  const batch = 250
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'writer.ts'), file, String(batch)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  let reported = 0
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = chunk.toString().trim().split('\n')
      reported = Number(lines[lines.length - 1])
      // Kill while it is in the middle of writing the next batches.
      if (reported >= batch * 8) {
        child.kill('SIGKILL')
        resolve()
      }
    })
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited early (${code}): ${stderr}`))
    })
  })
  await new Promise((resolve) => child.on('close', resolve))

  const db = openDatabase(file)
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
  const count = (db.prepare('SELECT count(*) AS n FROM comparisons').get() as { n: number }).n
  expect(count % batch).toBe(0)
  expect(count).toBeGreaterThanOrEqual(reported)
  const orphans = db.pragma('foreign_key_check') as unknown[]
  expect(orphans).toEqual([])
  db.close()
})
