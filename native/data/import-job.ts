/**
 * An import as a job: in a worker thread with its own connection, so the engine keeps answering
 * while a million rows go in (it sees them once the import commits, as WAL readers do). Progress
 * goes out as `jobs.progress`; pause and cancel act between read chunks (a cancelled import rolls
 * back and leaves nothing).
 */
import type { ImportResult } from '../api/contract'
import { defineJob } from '../jobs/define'
import { openWorkConnection } from './connection'
import { importPreferences, type ImportRequest } from './import'

export type ImportJobInput = Omit<ImportRequest, 'signal' | 'onProgress' | 'check'> & { database: string }

export default defineJob(async (input: ImportJobInput, ctx): Promise<ImportResult> => {
  const { database, ...request } = input
  const db = openWorkConnection(database)
  try {
    return await importPreferences(db, {
      ...request,
      check: () => ctx.check(),
      onProgress: (p) => ctx.progress({ done: p.done, total: p.total, unit: p.unit, message: `${p.rows.toLocaleString('en-US')} rows` }),
    })
  } finally {
    db.close()
  }
})
