import type { ByteSource } from '../byte-source'
import { csvSource } from './csv'
import { jsonArraySource } from './json-array'
import { jsonlSource } from './jsonl'
import { parquetSource } from './parquet'
import { sniffContainer } from './sniff'
import type { Container, RecordSource } from './source'

export type { Container, RecordSource, SourceRecord, SourceProgress } from './source'
export { containers } from './source'

export interface OpenSourceOptions {
  /** Read as this container instead of detecting it. */
  container?: Container
  /** Largest line (text) or record accepted, in bytes. */
  maxLineBytes: number
}

/** Detect the container of `bytes` (or take the one given) and open a streaming row reader. */
export function openSource(bytes: ByteSource, options: OpenSourceOptions): RecordSource {
  const container = sniffContainer(bytes, options.container)
  switch (container) {
    case 'jsonl':
      return jsonlSource(bytes, options)
    case 'json':
      return jsonArraySource(bytes, options)
    case 'csv':
      return csvSource(bytes, { ...options, delimiter: ',' })
    case 'tsv':
      return csvSource(bytes, { ...options, delimiter: '\t' })
    case 'parquet':
      return parquetSource(bytes)
  }
}
