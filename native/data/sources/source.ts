import type { Location } from '../where'

/** The file layouts Nashlab reads rows from. */
export type Container = 'jsonl' | 'json' | 'csv' | 'tsv' | 'parquet'
export const containers: readonly Container[] = ['jsonl', 'json', 'csv', 'tsv', 'parquet']

/** One row as the file holds it (an object of columns), with where it came from. */
export interface SourceRecord {
  value: unknown
  where: Location
}

export interface SourceProgress {
  done: number
  total: number
  unit: 'bytes' | 'rows'
}

/**
 * A streaming reader of one file's rows. `batches()` yields the rows in file order, a bounded
 * number at a time (one read chunk or one Parquet row group), so memory does not grow with the
 * file. Text values in CSV and TSV are always strings (`cellsAreText`).
 */
export interface RecordSource {
  readonly container: Container
  readonly cellsAreText: boolean
  batches(): AsyncGenerator<SourceRecord[]>
  progress(): SourceProgress
  close(): void
  /** Sources with a schema up front (Parquet): read the first row alone, name and pick columns. */
  peek?(): Promise<SourceRecord | null>
  columnNames?(): Promise<string[]>
  select?(columns: string[] | null): void
}
