import { NashlabError } from '../api/errors'

/**
 * Where a record sits in its file, for error messages: the 1-based line a text record starts on,
 * and the 1-based row (a CSV data row, a JSON array element, a Parquet row).
 */
export interface Location {
  file: string
  line?: number
  row?: number
}

/** "data.csv, row 3 (line 4)", "data.jsonl, line 7", "data.parquet, row 12". */
export function describeLocation(where: Location): string {
  if (where.row !== undefined && where.line !== undefined) return `${where.file}, row ${where.row} (line ${where.line})`
  if (where.row !== undefined) return `${where.file}, row ${where.row}`
  if (where.line !== undefined) return `${where.file}, line ${where.line}`
  return where.file
}

const nothingImported = 'Nothing was imported.'

/** A bad record: the message names the file, the line or row, and the field when there is one. */
export function badRow(where: Location, field: string | undefined, problem: string): NashlabError {
  return new NashlabError('bad_file', `${describeLocation(where)}: ${problem}. ${nothingImported}`, {
    file: where.file,
    ...(where.line !== undefined ? { line: where.line } : {}),
    ...(where.row !== undefined ? { row: where.row } : {}),
    ...(field !== undefined ? { field } : {}),
  })
}

/** A problem with the file as a whole (empty, wrong kind, cut short). */
export function badFile(file: string, problem: string, details: Record<string, unknown> = {}): NashlabError {
  return new NashlabError('bad_file', `${file}: ${problem}. ${nothingImported}`, { file, ...details })
}

/** How a JSON value reads in a message: "a number", "an array", "null". */
export function describeValue(v: unknown): string {
  if (v === null) return 'null'
  if (v === undefined) return 'nothing'
  if (Array.isArray(v)) return 'an array'
  if (v instanceof Uint8Array) return 'binary data'
  if (typeof v === 'bigint') return 'a number'
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`
}
