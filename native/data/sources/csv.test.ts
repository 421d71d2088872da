import { describe, expect, test } from 'vitest'
import { bufferSource } from '../byte-source'
import { csvSource, CsvParser } from './csv'
import type { SourceRecord } from './source'

async function read(text: string, delimiter: ',' | '\t' = ','): Promise<SourceRecord[]> {
  const source = csvSource(bufferSource(Buffer.from(text), 'test.csv'), { delimiter, maxLineBytes: 1 << 20 })
  const out: SourceRecord[] = []
  for await (const batch of source.batches()) out.push(...batch)
  return out
}

function parseAll(text: string, pieces: number): { fields: string[]; line: number }[] {
  const parser = new CsvParser('t.csv', ',', 1 << 20)
  const out: { fields: string[]; line: number }[] = []
  const emit = (fields: string[], line: number) => out.push({ fields, line })
  // Feed whole lines in pieces, as the chunk reader does (chunks end after a newline).
  const lines = text.split(/(?<=\n)/)
  const size = Math.ceil(lines.length / pieces)
  let line = 1
  for (let i = 0; i < lines.length; i += size) {
    const chunk = lines.slice(i, i + size).join('')
    parser.push(chunk, line, emit)
    line += (chunk.match(/\n/g) ?? []).length
  }
  parser.end(emit)
  return out
}

describe('CSV', () => {
  test('reads a header and rows into objects, with rows and lines', async () => {
    const rows = await read('prompt,chosen,rejected\nq1,good,bad\nq2,"a, quoted","say ""hi"""\n')
    expect(rows.map((r) => r.value)).toEqual([
      { prompt: 'q1', chosen: 'good', rejected: 'bad' },
      { prompt: 'q2', chosen: 'a, quoted', rejected: 'say "hi"' },
    ])
    expect(rows.map((r) => r.where)).toEqual([
      { file: 'test.csv', line: 2, row: 1 },
      { file: 'test.csv', line: 3, row: 2 },
    ])
  })

  test('keeps newlines inside quoted fields and counts lines across them', async () => {
    const rows = await read('prompt,chosen\r\n"line one\r\nline two",x\r\nnext,y\r\n')
    expect(rows[0].value).toEqual({ prompt: 'line one\r\nline two', chosen: 'x' })
    expect(rows[1].where.line).toBe(4)
    expect(rows[1].value).toEqual({ prompt: 'next', chosen: 'y' })
  })

  test('gives the same records whatever the chunking', () => {
    const text = 'a,b\n"1\n2",x\n"3""",y\n,z\nlast,"q"\n'
    const whole = parseAll(text, 1)
    for (const pieces of [2, 3, 5]) expect(parseAll(text, pieces)).toEqual(whole)
    expect(whole.map((r) => r.fields)).toEqual([['a', 'b'], ['1\n2', 'x'], ['3"', 'y'], ['', 'z'], ['last', 'q']])
    expect(whole.map((r) => r.line)).toEqual([1, 2, 4, 5, 6])
  })

  test('reads TSV with tabs and a last line without a newline', async () => {
    const rows = await read('prompt\tcompletion\tlabel\nq\tsure\ttrue', '\t')
    expect(rows.map((r) => r.value)).toEqual([{ prompt: 'q', completion: 'sure', label: 'true' }])
  })

  test('skips blank lines', async () => {
    const rows = await read('a,b\n\n1,2\n\n')
    expect(rows.map((r) => r.value)).toEqual([{ a: '1', b: '2' }])
  })

  test('refuses a row with the wrong number of fields, naming row, line and header', async () => {
    await expect(read('prompt,chosen,rejected\nq,a,b\nq,a\n')).rejects.toThrow(
      'test.csv, row 2 (line 3): has 2 fields but the header has 3 ("prompt", "chosen", "rejected"). Nothing was imported.',
    )
  })

  test('refuses an unclosed quote and text after a closing quote', async () => {
    await expect(read('a,b\n"open,x\n')).rejects.toThrow('line 2: has a quoted field that is never closed')
    await expect(read('a,b\n"x"y,z\n')).rejects.toThrow('line 2: has text after a closing quote')
  })

  test('refuses a header that names a column twice', async () => {
    await expect(read('a,a\n1,2\n')).rejects.toThrow('the header names the column "a" twice')
  })

  test('refuses a file with a header and no rows', async () => {
    await expect(read('prompt,chosen,rejected\n')).rejects.toThrow('test.csv: has a header but no rows')
  })
})
