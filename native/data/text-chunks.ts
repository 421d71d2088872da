import { isUtf8 } from 'node:buffer'
import type { ByteSource } from './byte-source'
import { badFile, badRow } from './where'

export interface TextChunk {
  /** Whole lines of text (the last one ends with a newline unless the file ends without one). */
  text: string
  /** 1-based number of the line `text` starts on. */
  firstLine: number
  /** Bytes of the source consumed so far, for progress. */
  bytesDone: number
}

export interface TextChunkOptions {
  /** Bytes read per step (1 MiB by default). */
  chunkBytes?: number
  /** A line longer than this many bytes is refused instead of being buffered. */
  maxLineBytes: number
}

/**
 * Read a UTF-8 text source in chunks cut after a newline, so that memory stays at about one chunk
 * plus the longest line whatever the file's size. A newline byte never occurs inside a multi-byte
 * UTF-8 sequence, so each chunk is whole characters and can be validated on its own; invalid UTF-8
 * is refused with its line and byte offset instead of being silently replaced. A leading byte
 * order mark is dropped.
 */
export function* textChunks(source: ByteSource, options: TextChunkOptions): Generator<TextChunk> {
  const chunkBytes = options.chunkBytes ?? 1 << 20
  let position = 0
  let pending: Buffer = Buffer.alloc(0)
  let line = 1
  let first = true
  while (position < source.size || pending.length > 0) {
    let bytes = pending
    let eof = position >= source.size
    if (!eof) {
      const fresh = Buffer.allocUnsafe(Math.min(chunkBytes, source.size - position))
      const n = source.read(fresh, position, fresh.length)
      position += n
      if (n === 0) position = source.size
      eof = position >= source.size
      bytes = pending.length > 0 ? Buffer.concat([pending, fresh.subarray(0, n)]) : fresh.subarray(0, n)
    }
    if (first) {
      first = false
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3)
    }
    const cut = eof ? bytes.length : bytes.lastIndexOf(10) + 1
    if (cut === 0) {
      if (bytes.length > options.maxLineBytes) {
        throw badFile(source.name, `line ${line} is longer than ${formatBytes(options.maxLineBytes)}; no row may be that large`, { line })
      }
      pending = bytes
      continue
    }
    const complete = bytes.subarray(0, cut)
    pending = bytes.subarray(cut)
    if (!isUtf8(complete)) throw invalidUtf8(source.name, complete, line)
    const text = complete.toString('utf8')
    yield { text, firstLine: line, bytesDone: position - pending.length }
    line += countNewlines(complete)
  }
}

function countNewlines(bytes: Buffer): number {
  let n = 0
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) n++
  return n
}

/** Find the first line holding invalid UTF-8 and report it with the byte offset inside the line. */
function invalidUtf8(file: string, bytes: Buffer, firstLine: number) {
  let start = 0
  let line = firstLine
  for (;;) {
    const end = bytes.indexOf(10, start)
    const lineBytes = bytes.subarray(start, end === -1 ? bytes.length : end)
    if (!isUtf8(lineBytes)) {
      const offset = firstInvalidByte(lineBytes)
      return badRow({ file, line }, undefined, `not valid UTF-8 (byte ${offset + 1} of the line is 0x${lineBytes[offset].toString(16).padStart(2, '0')}); save the file as UTF-8`)
    }
    if (end === -1) return badFile(file, 'not valid UTF-8; save the file as UTF-8')
    start = end + 1
    line++
  }
}

/** Index of the first byte that does not belong to a well-formed UTF-8 sequence. */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0
    if (length === 0 || i + length > bytes.length) return i
    for (let k = 1; k < length; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i
    // Overlong three- and four-byte forms, surrogates and code points above U+10FFFF.
    if (b === 0xe0 && bytes[i + 1] < 0xa0) return i
    if (b === 0xed && bytes[i + 1] > 0x9f) return i
    if (b === 0xf0 && bytes[i + 1] < 0x90) return i
    if (b === 0xf4 && bytes[i + 1] > 0x8f) return i
    i += length
  }
  return bytes.length - 1
}

export function formatBytes(n: number): string {
  if (n >= 1 << 20) return `${Math.round((n / (1 << 20)) * 10) / 10} MiB`
  if (n >= 1 << 10) return `${Math.round((n / (1 << 10)) * 10) / 10} KiB`
  return `${n} bytes`
}
