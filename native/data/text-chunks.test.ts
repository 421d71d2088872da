import { describe, expect, test } from 'vitest'
import { bufferSource } from './byte-source'
import { firstInvalidByte, textChunks } from './text-chunks'

const chunks = (bytes: Buffer, chunkBytes = 8, maxLineBytes = 1 << 20) => [...textChunks(bufferSource(bytes, 'f.jsonl'), { chunkBytes, maxLineBytes })]

describe('text chunks', () => {
  test('cuts after newlines, drops a byte order mark and numbers lines', () => {
    const got = chunks(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('ab\ncdefghij\nk\nlast')]))
    expect(got.map((c) => c.text).join('')).toBe('ab\ncdefghij\nk\nlast')
    for (const c of got) expect(c.text.endsWith('\n') || c === got[got.length - 1]).toBe(true)
    expect(got.map((c) => [c.text, c.firstLine])).toEqual([
      ['ab\n', 1],
      ['cdefghij\n', 2],
      ['k\nlast', 3],
    ])
  })

  test('keeps multi-byte characters whole across reads', () => {
    const text = 'héllo wörld ✓ 𝄞\nçà\n'
    expect(chunks(Buffer.from(text), 3).map((c) => c.text).join('')).toBe(text)
  })

  test('names the line and byte of invalid UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from('{"a":1}\n{"a":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n')])
    expect(() => chunks(bytes, 64)).toThrow('f.jsonl, line 2: not valid UTF-8 (byte 10 of the line is 0xe9); save the file as UTF-8. Nothing was imported.')
  })

  test('refuses a line longer than the limit without buffering it', () => {
    expect(() => chunks(Buffer.from('x'.repeat(100)), 8, 50)).toThrow('f.jsonl: line 1 is longer than 50 bytes')
  })

  test('finds the first invalid byte: lone continuation, overlong form, surrogate, truncation', () => {
    expect(firstInvalidByte(Buffer.from([0x61, 0x80]))).toBe(1)
    expect(firstInvalidByte(Buffer.from([0x61, 0xc0, 0xaf]))).toBe(1)
    expect(firstInvalidByte(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0)
    expect(firstInvalidByte(Buffer.from([0x61, 0x62, 0xe2, 0x82]))).toBe(2)
  })
})
