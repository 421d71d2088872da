import path from 'node:path'
import type { DatasetSummary, DatasetExportFormat, DatasetExportResult } from '../api/contract'
import { NashlabError } from '../api/errors'
import { DatasetRows, type ExportRow } from '../store/dataset-rows'
import type { Db } from '../store/db'
import { csvRecord } from './exporters/csv'
import { ParquetSink, type ParquetColumn } from './exporters/parquet'
import { TextSink } from './exporters/sink'
import { asMessages } from './formats/messages'

export interface ExportRequest {
  format: DatasetExportFormat
  path: string
  excludeFlagged: boolean
  kind: 'auto' | 'comparisons' | 'feedback' | 'prompts'
  signal?: AbortSignal
  /** Called between pages; throws to stop (a job's pause and cancel act here). */
  check?: () => void
  onProgress?: (done: number, total: number) => void
}

type Kind = DatasetExportResult['kind']
type Record_ = Record<string, string | boolean | null | unknown[]>

/** Rows read from the database per step (one Parquet row group). */
const pageRows = 20_000

const columnsOf: Record<Kind, ParquetColumn[]> = {
  comparisons: [
    { name: 'prompt', type: 'STRING', nullable: false },
    { name: 'chosen', type: 'STRING', nullable: false },
    { name: 'rejected', type: 'STRING', nullable: false },
    { name: 'annotator', type: 'STRING', nullable: true },
  ],
  feedback: [
    { name: 'prompt', type: 'STRING', nullable: false },
    { name: 'completion', type: 'STRING', nullable: false },
    { name: 'label', type: 'BOOLEAN', nullable: false },
    { name: 'annotator', type: 'STRING', nullable: true },
  ],
  prompts: [{ name: 'prompt', type: 'STRING', nullable: false }],
}

/**
 * Export a dataset in TRL's layouts: comparisons as `{prompt, chosen, rejected}` (the winner is
 * chosen; ties and both-bad judgements have no place in TRL and are counted as skipped), feedback
 * as `{prompt, completion, label}`, prompts as `{prompt}`.
 * - trl-jsonl: standard text; trl-conversational: message lists (the stored conversation, or the
 *   text as one user / assistant message);
 * - csv and parquet: the standard columns plus `annotator` (feedback and comparisons).
 * An `annotator` field is added to JSON rows that have one (TRL ignores extra columns).
 * Rows are read in keyset pages and the file is written whole or not at all.
 */
export async function exportDataset(db: Db, dataset: DatasetSummary, request: ExportRequest): Promise<DatasetExportResult> {
  const kind: Kind =
    request.kind !== 'auto' ? request.kind : dataset.comparisons > 0 ? 'comparisons' : dataset.feedback > 0 ? 'feedback' : 'prompts'
  const total = kind === 'comparisons' ? dataset.comparisons : kind === 'feedback' ? dataset.feedback : dataset.prompts
  if (total === 0) throw new NashlabError('invalid_input', `The dataset "${dataset.name}" has no ${kind} to export.`, { dataset: dataset.name, kind })
  const file = path.resolve(request.path)
  const rows = new DatasetRows(db)
  const skipped = { ties: 0, bothBad: 0, flagged: 0 }
  const conversational = request.format === 'trl-conversational'
  const text = request.format === 'parquet' ? null : new TextSink(file)
  const parquet = request.format === 'parquet' ? new ParquetSink(file, columnsOf[kind]) : null
  const columns = columnsOf[kind].map((c) => c.name)
  if (text && request.format === 'csv') text.write(csvRecord(columns))
  let written = 0
  let done = 0
  try {
    for (let after = 0; ; ) {
      const page = rows.exportPage(kind, dataset.id, after, pageRows)
      if (page.length === 0) break
      after = page[page.length - 1].id
      done += page.length
      const records: Record_[] = []
      for (const row of page) {
        if (request.excludeFlagged && row.flagged === 1) {
          skipped.flagged++
          continue
        }
        const record = toRecord(kind, row, conversational)
        if (record === 'tie') skipped.ties++
        else if (record === 'both_bad') skipped.bothBad++
        else records.push(record)
      }
      written += records.length
      if (parquet) parquet.write(records as Record<string, string | boolean | null>[])
      else if (request.format === 'csv') for (const r of records) text!.write(csvRecord(columns.map((c) => csvValue(r[c]))))
      else for (const r of records) text!.write(JSON.stringify(r) + '\n')
      request.onProgress?.(done, total)
      if (request.signal?.aborted) throw new NashlabError('cancelled', `The export to ${file} was cancelled; no file was written.`)
      request.check?.()
      // In place (an in-memory database), let the engine answer other calls between pages.
      await new Promise((resolve) => setImmediate(resolve))
    }
    if (written === 0) {
      throw new NashlabError('invalid_input', `Nothing in "${dataset.name}" can be written as ${request.format}: every row was skipped (${describeSkipped(skipped)}).`, { skipped })
    }
    const bytes = parquet ? parquet.finish() : text!.finish()
    return { path: file, format: request.format, kind, rows: written, skipped, bytes }
  } catch (error) {
    parquet?.abandon()
    text?.abandon()
    throw error
  }
}

function toRecord(kind: Kind, row: ExportRow, conversational: boolean): Record_ | 'tie' | 'both_bad' {
  const prompt = conversational ? asMessages({ text: row.prompt, messages: row.promptMessages }, 'user') : row.prompt
  const response = (t: string, m: string | null | undefined) => (conversational ? asMessages({ text: t, messages: m ?? null }, 'assistant') : t)
  if (kind === 'prompts') return { prompt }
  if (kind === 'feedback') {
    const record: Record_ = { prompt, completion: response(row.a!, row.aMessages), label: row.label === 1 }
    if (row.annotator) record.annotator = row.annotator
    return record
  }
  if (row.outcome === 'tie' || row.outcome === 'both_bad') return row.outcome
  const aWins = row.outcome === 'a'
  const chosen = aWins ? response(row.a!, row.aMessages) : response(row.b!, row.bMessages)
  const rejected = aWins ? response(row.b!, row.bMessages) : response(row.a!, row.aMessages)
  const record: Record_ = { prompt, chosen, rejected }
  if (row.annotator) record.annotator = row.annotator
  return record
}

function csvValue(v: unknown): string | null {
  if (v === undefined || v === null) return null
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  return String(v)
}

function describeSkipped(s: { ties: number; bothBad: number; flagged: number }): string {
  return `${s.ties} ties, ${s.bothBad} both bad, ${s.flagged} flagged`
}
