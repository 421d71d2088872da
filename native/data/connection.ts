import Database from 'better-sqlite3'
import type { Db } from '../store/db'

/**
 * A connection of its own to the engine's (already migrated) database file, for one import or
 * export in a worker thread: the engine's safety settings (foreign keys, a busy timeout, NORMAL
 * sync in WAL mode) and a larger page cache for bulk work.
 */
export function openWorkConnection(file: string): Db {
  const db = new Database(file, { fileMustExist: true })
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  db.pragma('synchronous = NORMAL')
  db.pragma('cache_size = -131072')
  db.pragma('temp_store = MEMORY')
  return db
}
