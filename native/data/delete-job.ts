/**
 * A whole dataset's delete as a job: in a worker thread with its own connection, in one
 * transaction. A million comparisons take tens of seconds to delete (their search-index entries
 * and the kept counts dominate), which the engine's thread must not spend: the engine keeps
 * answering, and every reader sees the dataset whole until the delete commits, then not at all.
 */
import { defineJob } from '../jobs/define'
import { DatasetRepository } from '../store/datasets'
import { openWorkConnection } from './connection'

export default defineJob((input: { database: string; name: string }, ctx): { deleted: string } => {
  const db = openWorkConnection(input.database)
  try {
    new DatasetRepository(db).delete(input.name, (done, total) => ctx.progress({ done, total, unit: 'steps', message: `deleting ${input.name}` }))
    return { deleted: input.name }
  } finally {
    db.close()
  }
})
