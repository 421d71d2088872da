/**
 * Helpers shared by the datasets tests: a real engine on a temporary database file, files written
 * into its folder, and a snapshot of every table so a test can assert that a failed import left
 * the database exactly as it was.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { Engine } from '../engine/engine'
import type { Db } from '../store/db'

export interface TestBench {
  engine: Engine
  dir: string
  /** Write a file into the test folder and return its path. */
  file(name: string, content: string | Buffer): string
  close(): Promise<void>
}

export function openBench(mode: 'cli' | 'web' = 'cli'): TestBench {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-datasets-'))
  const engine = new Engine({ database: path.join(dir, 'nashlab.db'), mode })
  return {
    engine,
    dir,
    file(name, content) {
      const file = path.join(dir, name)
      fs.writeFileSync(file, content)
      return file
    },
    async close() {
      await engine.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

export const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n'

/** A Parquet file of string columns (null allowed), written by hyparquet-writer. */
export function parquetBytes(columns: Record<string, (string | null)[] | (boolean | null)[] | (number | null)[]>): Buffer {
  const columnData = Object.entries(columns).map(([name, data]) => ({ name, data }))
  return Buffer.from(parquetWriteBuffer({ columnData }))
}

/** Every row of every table (FTS shadow tables included) and the schema version, as one string. */
export function snapshot(db: Db): string {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]
  const dump: Record<string, unknown> = { version: db.pragma('user_version', { simple: true }) }
  const encode = (v: unknown) => JSON.stringify(v, (_k, x) => (x instanceof Buffer ? x.toString('base64') : typeof x === 'bigint' ? String(x) : x))
  // Sorted in JS: some tables (WITHOUT ROWID, FTS shadows) have no rowid to order by.
  for (const t of tables) dump[t] = (db.prepare(`SELECT * FROM "${t}"`).raw().all() as unknown[]).map(encode).sort()
  return encode(dump)
}
