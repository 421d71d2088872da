/**
 * An export as a job: in a worker thread with its own connection, reading the dataset in keyset
 * pages and writing the file whole or not at all. Pause and cancel act between pages.
 */
import type { DatasetExportResult } from '../api/contract'
import { defineJob } from '../jobs/define'
import { DatasetRepository } from '../store/datasets'
import { openWorkConnection } from './connection'
import { exportDataset, type ExportRequest } from './export'

export type ExportJobInput = Omit<ExportRequest, 'signal' | 'onProgress' | 'check'> & { database: string; name: string }

export default defineJob(async (input: ExportJobInput, ctx): Promise<DatasetExportResult> => {
  const { database, name, ...request } = input
  const db = openWorkConnection(database)
  try {
    return await exportDataset(db, new DatasetRepository(db).get(name), {
      ...request,
      check: () => ctx.check(),
      onProgress: (done, total) => ctx.progress({ done, total, unit: 'rows' }),
    })
  } finally {
    db.close()
  }
})
