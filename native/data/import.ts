import fs from 'node:fs'
import type { ColumnMapping, ImportContainer, ImportFormat, ImportResult } from '../api/contract'
import { NashlabError } from '../api/errors'
import { DatasetRepository, DatasetWriter } from '../store/datasets'
import { deferComparisonCounts } from '../store/bulk-counts'
import type { Db } from '../store/db'
import { bufferSource, fileSource, type ByteSource } from './byte-source'
import { detectSchema } from './formats/detect'
import { Row } from './formats/row'
import type { ImportItem, Schema } from './formats/schema'
import { openSource, type RecordSource, type SourceProgress, type SourceRecord } from './sources'
import { badFile, describeLocation } from './where'

/** Which file to read and how: what a preview and an import share. */
export interface ReadRequest {
  path?: string
  content?: string
  fileName?: string
  container?: ImportContainer
  format: ImportFormat
  map?: ColumnMapping
  maxFieldChars: number
}

export interface ImportRequest extends ReadRequest {
  dataset: string
  onDuplicate: 'keep' | 'skip'
  signal?: AbortSignal
  /** Called between read chunks; throws to stop (a job's pause and cancel act here). */
  check?: () => void
  /** Called about every 100 ms while rows are read, and once at the end. */
  onProgress?: (p: SourceProgress & { rows: number }) => void
}

/** The largest line or record read from a text file, whatever the field limit. */
export const maxRecordBytes = 64 << 20

/** Open the bytes an import or preview reads: a file (never read whole) or sent content. */
export function openBytes(request: { path?: string; content?: string; fileName?: string }): ByteSource {
  if (request.path !== undefined) {
    const stat = fs.statSync(request.path, { throwIfNoEntry: false })
    if (!stat) throw new NashlabError('not_found', `The file ${request.path} does not exist.`, { file: request.path })
    if (!stat.isFile()) throw badFile(request.path, 'is not a file')
    return fileSource(request.path, request.fileName && request.fileName !== request.path ? request.fileName : request.path)
  }
  return bufferSource(Buffer.from(request.content ?? '', 'utf8'), request.fileName ?? 'upload.jsonl')
}

/**
 * Open a file's row reader and find its schema from the first row (`format` null: no detection).
 * Parquet reads its first row on its own, so that afterwards only the schema's columns are decoded.
 */
export async function openRows(
  bytes: ByteSource,
  request: { container?: ImportContainer; format: ImportFormat | null; map?: ColumnMapping; maxFieldChars: number },
): Promise<{ source: RecordSource; schema: Schema | null; first: SourceRecord | null; rest: AsyncGenerator<SourceRecord[]> }> {
  const source = openSource(bytes, { container: request.container, maxLineBytes: maxRecordBytes })
  const rowOptions = { cellsAreText: source.cellsAreText, maxFieldChars: request.maxFieldChars }
  const format = request.format
  const detect = (first: SourceRecord | null) => (first && format ? detectSchema(Row.of(first, rowOptions), format, request.map) : null)
  if (source.peek) {
    const first = await source.peek()
    const schema = detect(first)
    if (schema && source.select) {
      const have = new Set(await source.columnNames?.())
      source.select(schema.columns.filter((c) => have.has(c)))
    }
    return { source, schema, first, rest: source.batches() }
  }
  const batches = source.batches()
  let pending: SourceRecord[] = []
  // Pull by hand: leaving a for-await loop early would close the generator.
  for (let next = await batches.next(); !next.done; next = await batches.next()) {
    if (next.value.length > 0) {
      pending = next.value
      break
    }
  }
  const first = pending[0] ?? null
  const rest = (async function* () {
    if (pending.length > 0) yield pending
    yield* batches
  })()
  return { source, schema: detect(first), first, rest }
}

/**
 * Import a file into a dataset (created when missing, appended to otherwise) in one transaction on
 * `db`: any bad row rolls everything back, the dataset's creation included, and the error names the
 * file, line or row, and field. The engine runs it as a job in a worker thread with a connection of
 * its own (import-job.ts); an in-memory database, which has only one connection, imports in place.
 */
export function importPreferences(db: Db, request: ImportRequest): Promise<ImportResult> {
  return importBytes(db, openBytes(request), request)
}

/**
 * Import already opened bytes (closed at the end, whatever happens), as `importPreferences` does
 * a request's file: the bytes are read in order, a chunk at a time, each chunk's rows written
 * before the next is read.
 */
export async function importBytes(db: Db, bytes: ByteSource, request: ImportRequest): Promise<ImportResult> {
  const started = performance.now()
  let source: RecordSource | undefined
  let rows = 0
  const duplicateExamples: string[] = []
  let counts: DatasetWriter['counts'] | undefined
  let container: ImportContainer = 'jsonl'
  let schema: Schema | null = null
  try {
    const opened = await openRows(bytes, request)
    source = opened.source
    container = source.container
    schema = opened.schema
    if (!schema) throw badFile(bytes.name, 'holds no rows')
    const rowOptions = { cellsAreText: source.cellsAreText, maxFieldChars: request.maxFieldChars }
    db.exec('BEGIN IMMEDIATE')
    const datasetId = new DatasetRepository(db).ensure(request.dataset)
    const writer = new DatasetWriter(db, datasetId, request.onDuplicate)
    const counting = deferComparisonCounts(db, datasetId)
    const write = writeItem(writer)
    let lastReport = 0
    for await (const batch of opened.rest) {
      for (const record of batch) {
        const item = schema.map(Row.of(record, rowOptions))
        rows++
        if (write(item) !== 'added' && duplicateExamples.length < 5) duplicateExamples.push(describeLocation(record.where))
      }
      const now = performance.now()
      if (request.onProgress && now - lastReport >= 100) {
        lastReport = now
        request.onProgress({ ...source.progress(), rows })
      }
      if (request.signal?.aborted) throw new NashlabError('cancelled', `The import of ${bytes.name} was cancelled after ${rows} rows. Nothing was imported.`)
      request.check?.()
    }
    if (rows === 0) throw badFile(bytes.name, 'holds no rows')
    counting.finish()
    db.exec('COMMIT')
    counts = writer.counts
    request.onProgress?.({ ...source.progress(), done: source.progress().total, rows })
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw error
  } finally {
    source?.close()
    if (!source) bytes.close()
  }
  return {
    dataset: new DatasetRepository(db).get(request.dataset),
    format: schema.format,
    schema: schema.name,
    container,
    rows,
    prompts: counts.prompts,
    responses: counts.responses,
    comparisons: counts.comparisons,
    feedback: counts.feedback,
    duplicates: counts.duplicates,
    duplicateExamples,
    onDuplicate: request.onDuplicate,
    identicalPairs: counts.identicalPairs,
    seconds: Math.round(performance.now() - started) / 1000,
  }
}

function writeItem(writer: DatasetWriter): (item: ImportItem) => ReturnType<DatasetWriter['comparison']> {
  return (item) => {
    switch (item.kind) {
      case 'comparison':
        return writer.comparison(item)
      case 'feedback':
        return writer.feedback(item)
      case 'prompt':
        return writer.promptOnly(item.prompt)
    }
  }
}
