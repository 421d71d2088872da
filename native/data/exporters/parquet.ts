import fs from 'node:fs'
import { ByteWriter, ParquetWriter, schemaFromColumnData, type Writer } from 'hyparquet-writer'
import { PartialFile } from './sink'

export interface ParquetColumn {
  name: string
  type: 'STRING' | 'BOOLEAN'
  nullable: boolean
}

/**
 * A Parquet file written one row group per `write` (snappy pages, offset indexes), so an export
 * holds one batch of rows in memory, not the dataset. Written to a partial file and renamed into
 * place when finished, like the text exports.
 */
export class ParquetSink extends PartialFile {
  private readonly writer: ParquetWriter
  private readonly bytes: ByteWriter & Writer = new ByteWriter()

  constructor(
    file: string,
    private readonly columns: ParquetColumn[],
  ) {
    super(file)
    // Flush the encoder's buffer to the file after each row group and at the end.
    this.bytes.flush = () => {
      // `offset` keeps counting the file's bytes (the footer needs it); `index` restarts the buffer.
      fs.writeSync(this.fd, new Uint8Array(this.bytes.buffer, 0, this.bytes.index))
      this.bytes.index = 0
    }
    const schema = schemaFromColumnData({ columnData: columns.map((c) => ({ name: c.name, data: [], type: c.type, nullable: c.nullable })) })
    this.writer = new ParquetWriter({ writer: this.bytes, schema, createdBy: 'nashlab' })
  }

  write(rows: Record<string, string | boolean | null>[]): void {
    if (rows.length === 0) return
    const columnData = this.columns.map((c) => ({ name: c.name, data: rows.map((r) => r[c.name] ?? null) }))
    this.writer.write({ columnData, rowGroupSize: rows.length })
  }

  finish(): number {
    this.writer.finish()
    this.bytes.flush?.()
    return this.commit()
  }
}
