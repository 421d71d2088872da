import type { ByteSource } from '../byte-source'
import { textChunks } from '../text-chunks'
import { badFile, badRow } from '../where'
import type { RecordSource, SourceRecord } from './source'

/**
 * CSV (RFC 4180: quoted fields may hold delimiters, quotes written twice, and newlines) or TSV
 * (the same with tabs). The first record is the header; each later record becomes an object of
 * header → cell text. Rows are counted from 1 after the header and reported with the line they
 * start on. Blank lines are skipped.
 */
export function csvSource(bytes: ByteSource, options: { delimiter: ',' | '\t'; maxLineBytes: number }): RecordSource {
  let done = 0
  const container = options.delimiter === ',' ? 'csv' : 'tsv'
  return {
    container,
    cellsAreText: true,
    progress: () => ({ done, total: bytes.size, unit: 'bytes' }),
    close: () => bytes.close(),
    async *batches() {
      let header: string[] | null = null
      let rows = 0
      const parser = new CsvParser(bytes.name, options.delimiter, options.maxLineBytes)
      const onRecord = (fields: string[], line: number, batch: SourceRecord[]) => {
        if (header === null) {
          header = checkHeader(fields, bytes.name)
          return
        }
        rows++
        const where = { file: bytes.name, line, row: rows }
        if (fields.length !== header.length) {
          throw badRow(where, undefined, `has ${fields.length} ${fields.length === 1 ? 'field' : 'fields'} but the header has ${header.length} (${header.map((h) => `"${h}"`).join(', ')})`)
        }
        const value: Record<string, string> = {}
        for (let k = 0; k < header.length; k++) value[header[k]] = fields[k]
        batch.push({ value, where })
      }
      for (const chunk of textChunks(bytes, options)) {
        const batch: SourceRecord[] = []
        parser.push(chunk.text, chunk.firstLine, (fields, line) => onRecord(fields, line, batch))
        done = chunk.bytesDone
        yield batch
      }
      const last: SourceRecord[] = []
      parser.end((fields, line) => onRecord(fields, line, last))
      if (header !== null && rows === 0 && last.length === 0) throw badFile(bytes.name, 'has a header but no rows')
      yield last
    },
  }
}

function checkHeader(fields: string[], file: string): string[] {
  const names = fields.map((f, i) => f.trim() || `column ${i + 1}`)
  const seen = new Set<string>()
  for (const name of names) {
    if (seen.has(name)) throw badRow({ file, line: 1 }, name, `the header names the column "${name}" twice`)
    seen.add(name)
  }
  return names
}

/** A streaming RFC 4180 record splitter; state carries over between pushed chunks. */
export class CsvParser {
  private fields: string[] = []
  private field = ''
  private inQuotes = false
  /** The current field was quoted and its closing quote has been seen. */
  private closed = false
  private recordLine = 1
  private line = 1
  private recordChars = 0
  private readonly delimiter: number

  constructor(
    private readonly file: string,
    delimiter: ',' | '\t',
    private readonly maxRecordChars: number,
  ) {
    this.delimiter = delimiter.charCodeAt(0)
  }

  push(text: string, firstLine: number, emit: (fields: string[], line: number) => void): void {
    this.line = firstLine
    const n = text.length
    let i = 0
    while (i < n) {
      if (this.inQuotes) {
        const quote = text.indexOf('"', i)
        const end = quote === -1 ? n : quote
        const piece = text.slice(i, end)
        this.field += piece
        this.line += countNewlines(piece)
        if (quote === -1) {
          i = n
          break
        }
        if (text.charCodeAt(quote + 1) === 34) {
          this.field += '"'
          i = quote + 2
        } else {
          this.inQuotes = false
          this.closed = true
          i = quote + 1
        }
        continue
      }
      // Unquoted: copy up to the next delimiter, quote or newline in one slice.
      let j = i
      let c = 0
      while (j < n) {
        c = text.charCodeAt(j)
        if (c === this.delimiter || c === 10 || c === 34) break
        j++
      }
      if (j > i) {
        if (!this.closed) this.field += text.slice(i, j)
        else if (!isOnlyCr(text, i, j)) {
          throw badRow({ file: this.file, line: this.line }, undefined, 'has text after a closing quote; a quoted field must end at a delimiter or the line end')
        }
      }
      if (j === n) break
      if (c === 34) {
        if (this.field.length === 0 && !this.closed) this.inQuotes = true
        else throw badRow({ file: this.file, line: this.line }, undefined, 'has a quote inside an unquoted field; quote the whole field and double the quote')
        i = j + 1
      } else if (c === this.delimiter) {
        this.endField()
        i = j + 1
      } else {
        this.endRecord(emit)
        this.line++
        this.recordLine = this.line
        i = j + 1
      }
    }
    this.recordChars += n
    if (this.recordChars > this.maxRecordChars && (this.inQuotes || this.fields.length > 0 || this.field.length > 0)) {
      throw badRow({ file: this.file, line: this.recordLine }, undefined, `the record is longer than ${this.maxRecordChars} characters (an unclosed quote?)`)
    }
  }

  end(emit: (fields: string[], line: number) => void): void {
    if (this.inQuotes) throw badRow({ file: this.file, line: this.recordLine }, undefined, 'has a quoted field that is never closed; the file may be cut short')
    if (this.fields.length > 0 || this.field.length > 0 || this.closed) this.endRecord(emit)
  }

  private endField() {
    this.fields.push(this.closed ? this.field : stripCr(this.field))
    this.field = ''
    this.closed = false
  }

  private endRecord(emit: (fields: string[], line: number) => void) {
    this.endField()
    const fields = this.fields
    this.fields = []
    this.recordChars = 0
    if (fields.length === 1 && fields[0] === '') return
    emit(fields, this.recordLine)
  }
}

function stripCr(s: string): string {
  return s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s
}

function isOnlyCr(text: string, from: number, to: number): boolean {
  return to - from === 1 && text.charCodeAt(from) === 13
}

function countNewlines(s: string): number {
  let n = 0
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++
  return n
}
