import path from 'node:path'
import fs from 'node:fs'
import type { ImportResult } from '../api/contract'
import { NashlabError } from '../api/errors'
import { ComparisonWriter, DatasetRepository } from '../store/datasets'
import type { Db } from '../store/db'
import { readLines, stringLines } from './lines'
import { badRow, trlPreferenceRow } from './trl'

export interface ImportRequest {
  dataset: string
  path?: string
  content?: string
  fileName?: string
  format: 'auto' | 'trl'
  onProgress?: (rows: number) => void
}

/**
 * Import a JSONL file of TRL `{prompt, chosen, rejected}` rows into a dataset, creating it when
 * missing. One transaction: any bad row rolls back everything, the dataset included.
 */
export function importPreferences(db: Db, request: ImportRequest): ImportResult {
  const file = request.path ?? request.fileName ?? 'upload.jsonl'
  if (request.path !== undefined && !fs.existsSync(request.path)) {
    throw new NashlabError('not_found', `The file ${request.path} does not exist.`, { file: request.path })
  }
  const ext = path.extname(file).toLowerCase()
  if (ext !== '.jsonl' && ext !== '.ndjson' && ext !== '') {
    throw new NashlabError('bad_file', `${file}: only JSONL files (.jsonl) are read so far; got "${ext}".`, { file })
  }
  const repo = new DatasetRepository(db)
  let rows = 0
  let counts = { prompts: 0, responses: 0, comparisons: 0, duplicates: 0 }
  db.transaction(() => {
    const writer = new ComparisonWriter(db, repo.ensure(request.dataset))
    const lines = request.path !== undefined ? readLines(request.path) : stringLines(request.content ?? '')
    for (const { line, number } of lines) {
      if (line.trim() === '') continue
      let value: unknown
      try {
        value = JSON.parse(line)
      } catch (error) {
        throw badRow({ file, line: number }, undefined, `not valid JSON (${(error as Error).message})`)
      }
      writer.add(trlPreferenceRow(value, { file, line: number }))
      rows++
      if (rows % 10_000 === 0) request.onProgress?.(rows)
    }
    if (rows === 0) throw new NashlabError('bad_file', `${file} holds no rows. Nothing was imported.`, { file })
    counts = writer.counts
  })()
  return { dataset: repo.get(request.dataset), format: 'trl', rows, ...counts }
}
