/**
 * A dataset's annotator and preference-health reports as a worker job: one pass over a million
 * comparisons takes seconds, which the engine's thread must not spend. Read-only, on a connection
 * of its own (it sees the last committed state).
 */
import { defineJob } from '../jobs/define'
import { DatasetStatsQueries } from '../store/dataset-stats'
import { openWorkConnection } from './connection'
import { computeReport, type DatasetReport } from './report'

export default defineJob((input: { database: string; datasetId: number }): DatasetReport => {
  const db = openWorkConnection(input.database)
  try {
    return computeReport(new DatasetStatsQueries(db), input.datasetId)
  } finally {
    db.close()
  }
})
