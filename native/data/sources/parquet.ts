import { parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import type { ByteSource } from '../byte-source'
import { badFile } from '../where'
import type { RecordSource, SourceRecord } from './source'

/** Rows decoded at a time from a row group that has an offset index (pages can be picked). */
const sliceRows = 50_000

/**
 * Parquet through hyparquet (pure JS; gzip, brotli, zstd, lz4 and snappy through
 * hyparquet-compressors). The footer is read first, so a file cut short is refused before a row
 * is written. Rows come one row group at a time, or in slices of 50,000 when the file has offset
 * indexes; memory is bounded by that, not by the file. `columns` narrows what is decoded.
 */
export function parquetSource(bytes: ByteSource): RecordSource {
  const file: AsyncBuffer = {
    byteLength: bytes.size,
    slice(start, end = bytes.size) {
      const buffer = Buffer.alloc(Math.max(0, end - start))
      const n = bytes.read(buffer, start, buffer.length)
      if (n < buffer.length) throw new Error(`read ${n} of ${buffer.length} bytes at offset ${start}`)
      return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + n)
    },
  }
  let metadata: FileMetaData | undefined
  let selected: string[] | null = null
  let done = 0
  let total = 0

  const load = async (): Promise<FileMetaData> => {
    if (metadata) return metadata
    const head = Buffer.alloc(4)
    bytes.read(head, 0, 4)
    if (head.toString('latin1') !== 'PAR1') throw badFile(bytes.name, 'is not a Parquet file (it does not start with "PAR1")')
    if (bytes.size < 12) throw badFile(bytes.name, `is not a readable Parquet file (only ${bytes.size} bytes); it may be cut short`)
    try {
      metadata = await parquetMetadataAsync(file)
    } catch (error) {
      throw badFile(bytes.name, `is not a readable Parquet file (${(error as Error).message}); it may be cut short or damaged`)
    }
    total = Number(metadata.num_rows)
    return metadata
  }

  const read = async (meta: FileMetaData, start: number, end: number, useOffsetIndex: boolean) => {
    try {
      return (await parquetReadObjects({
        file,
        metadata: meta,
        rowStart: start,
        rowEnd: end,
        compressors,
        useOffsetIndex,
        ...(selected ? { columns: selected } : {}),
      })) as Record<string, unknown>[]
    } catch (error) {
      throw badFile(bytes.name, `rows ${start + 1}–${end} could not be decoded (${(error as Error).message}); the file may be damaged`, { row: start + 1 })
    }
  }

  return {
    container: 'parquet',
    cellsAreText: false,
    progress: () => ({ done, total, unit: 'rows' }),
    close: () => bytes.close(),
    async columnNames() {
      const meta = await load()
      return parquetSchema(meta).children.map((c) => c.element.name)
    },
    async peek() {
      const meta = await load()
      if (Number(meta.num_rows) === 0) return null
      const rows = await read(meta, 0, 1, false)
      return rows[0] ? { value: rows[0], where: { file: bytes.name, row: 1 } } : null
    },
    select(columns) {
      selected = columns
    },
    async *batches() {
      const meta = await load()
      let groupStart = 0
      for (const group of meta.row_groups) {
        const groupRows = Number(group.num_rows)
        const indexed = group.columns.every((c) => c.offset_index_offset !== undefined)
        const step = indexed ? sliceRows : groupRows
        for (let start = groupStart; start < groupStart + groupRows; start += step) {
          const end = Math.min(groupStart + groupRows, start + step)
          const rows = await read(meta, start, end, indexed)
          const batch: SourceRecord[] = rows.map((value, k) => ({ value, where: { file: bytes.name, row: start + k + 1 } }))
          done = end
          yield batch
        }
        groupStart += groupRows
      }
    },
  }
}
