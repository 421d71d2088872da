import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { NashlabError } from '../api/errors'
import { latestVersion, migrations } from './migrations/index'
import { projectRoot } from '../server/paths'

export type Db = Database.Database

export interface OpenOptions {
  /** Open without creating or migrating (used to inspect a file). */
  readonly?: boolean
}

/**
 * Open (creating when missing) a Nashlab database: WAL journal, foreign keys on, all pending
 * migrations applied in one transaction. A database whose `user_version` is newer than this code
 * is refused before anything is written to it.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false, nativeBinding: electronBinding() })
  try {
    const version = db.pragma('user_version', { simple: true }) as number
    if (version > latestVersion) {
      throw new NashlabError(
        'schema_too_new',
        `The database ${file} was written by a newer Nashlab (schema version ${version}; this Nashlab knows up to ${latestVersion}). Update Nashlab to open it; the file was not changed.`,
        { file, version, supported: latestVersion },
      )
    }
    if (options.readonly) return db
    db.pragma('journal_mode = WAL')
    // NORMAL is durable across application crashes in WAL mode; only a power loss can drop the
    // last transactions, never corrupt the file.
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    // Statement journals (every insert that runs triggers inside a transaction opens one) and
    // sorts in memory, as worker connections have them: an in-place import of 100,000 rows took
    // 6.4 s of CPU instead of 8.7 s (two runs each, load 10–13); index builds, the same either way.
    db.pragma('temp_store = MEMORY')
    migrate(db, version)
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

function migrate(db: Db, from: number): void {
  const pending = migrations.filter((m) => m.version > from)
  if (pending.length === 0) return
  // Foreign keys must be off while tables are rebuilt; they are checked at the end.
  db.pragma('foreign_keys = OFF')
  db.transaction(() => {
    for (const m of pending) {
      db.exec(m.up)
      db.pragma(`user_version = ${m.version}`)
    }
    const violations = db.pragma('foreign_key_check') as unknown[]
    if (violations.length > 0) throw new Error(`migration left ${violations.length} foreign-key violations`)
  })()
  db.pragma('foreign_keys = ON')
}

/**
 * Inside Electron (npm start from a source checkout), the copy of better-sqlite3's addon built for
 * Electron's ABI by scripts/electron-native.mjs; undefined elsewhere (plain Node, or a packaged app
 * whose modules electron-builder rebuilt).
 */
function electronBinding(): string | undefined {
  if (!process.versions.electron) return undefined
  const file = path.join(projectRoot, 'out', 'electron-native', 'better_sqlite3.node')
  return fs.existsSync(file) ? file : undefined
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number
}
