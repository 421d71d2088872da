import Database from 'better-sqlite3'
import type { Db } from '../store/db'

/**
 * A connection of its own to the engine's (already migrated) database file, for one import,
 * export or report in a worker thread: the engine's safety settings (foreign keys, a busy timeout,
 * NORMAL sync in WAL mode), statement journals in memory (an import's inserts run triggers, so each
 * opens one; on disk they cost a write per page per statement), and a page cache capped at 256 MiB:
 * a million-row import inserts prompts into a text-ordered unique index at random places, and a
 * cache of 128 MiB costs it a sixth more time than 256 MiB (512 MiB gains less again). The cap,
 * not the file, bounds the memory.
 */
export function openWorkConnection(file: string): Db {
  const db = new Database(file, { fileMustExist: true })
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  db.pragma('synchronous = NORMAL')
  db.pragma('cache_size = -262144')
  db.pragma('temp_store = MEMORY')
  return db
}
