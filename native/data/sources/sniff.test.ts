import { describe, expect, test } from 'vitest'
import { bufferSource } from '../byte-source'
import { sniffContainer } from './sniff'

const sniff = (name: string, content: string | Buffer, declared?: Parameters<typeof sniffContainer>[1]) => sniffContainer(bufferSource(Buffer.from(content), name), declared)

describe('container detection', () => {
  test('follows the content and the extension when they agree', () => {
    expect(sniff('a.jsonl', '{"prompt": "x"}\n')).toBe('jsonl')
    expect(sniff('a.json', ' [\n{"prompt": "x"}]')).toBe('json')
    expect(sniff('a.json', '{"prompt": "x"}\n{"prompt": "y"}\n')).toBe('jsonl')
    expect(sniff('a.csv', 'prompt,chosen\n')).toBe('csv')
    expect(sniff('a.tsv', 'prompt\tchosen\n')).toBe('tsv')
    expect(sniff('a.parquet', Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(20, 1)]))).toBe('parquet')
  })

  test('decides by content when there is no telling extension', () => {
    expect(sniff('upload', '{"a":1}')).toBe('jsonl')
    expect(sniff('data.txt', 'prompt\tchosen\trejected\n')).toBe('tsv')
    expect(sniff('data.txt', 'prompt,chosen,rejected\n')).toBe('csv')
  })

  test('refuses content that contradicts the extension', () => {
    expect(() => sniff('a.parquet', 'prompt,chosen\nq,x\n')).toThrow('a.parquet: has the extension .parquet but its content looks like CSV; rename the file or choose its container explicitly. Nothing was imported.')
    expect(() => sniff('a.csv', '{"prompt": "x"}\n')).toThrow('has the extension .csv but its content looks like JSON Lines')
    expect(() => sniff('a.jsonl', 'PAR1xxxxxxxxxxxxxxxx')).toThrow('has the extension .jsonl but its content looks like Parquet')
    expect(() => sniff('a.jsonl', 'prompt,chosen\n')).toThrow('has the extension .jsonl but its content looks like CSV')
  })

  test('an explicit container overrides the extension but not the content kind', () => {
    expect(sniff('export.txt', 'prompt;x\n', 'csv')).toBe('csv')
    expect(sniff('a.csv', 'a\tb\n', 'tsv')).toBe('tsv')
    expect(() => sniff('a.csv', '{"a": 1}', 'csv')).toThrow('was to be read as CSV but its content is JSON Lines')
  })

  test('refuses empty, compressed, binary and UTF-16 files', () => {
    expect(() => sniff('a.jsonl', '')).toThrow('a.jsonl: is empty. Nothing was imported.')
    expect(() => sniff('a.jsonl', ' \n\n ')).toThrow('is empty (it holds only white space)')
    expect(() => sniff('a.jsonl', Buffer.from([0x1f, 0x8b, 8, 0]))).toThrow('is gzip-compressed')
    expect(() => sniff('a.csv', Buffer.from([0x61, 0, 0x62]))).toThrow('is binary (it holds NUL bytes)')
    expect(() => sniff('a.csv', Buffer.from([0xff, 0xfe, 0x61, 0]))).toThrow('is UTF-16 text; save it as UTF-8')
  })
})
