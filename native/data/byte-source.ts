import fs from 'node:fs'

/**
 * Random-access bytes of an input: a file read through its descriptor (never whole), or an
 * in-memory buffer (content a browser sent). Reads are synchronous so that a text import can
 * parse a chunk and write it in the same tick.
 */
export interface ByteSource {
  /** File name used in messages. */
  readonly name: string
  readonly size: number
  /** Copy up to `length` bytes at `position` into `target`; returns how many were read. */
  read(target: Buffer, position: number, length: number): number
  close(): void
}

export function fileSource(file: string, name = file): ByteSource {
  const fd = fs.openSync(file, 'r')
  const size = fs.fstatSync(fd).size
  return {
    name,
    size,
    read: (target, position, length) => fs.readSync(fd, target, 0, length, position),
    close: () => fs.closeSync(fd),
  }
}

export function bufferSource(bytes: Buffer, name: string): ByteSource {
  return {
    name,
    size: bytes.length,
    read: (target, position, length) => bytes.copy(target, 0, position, Math.min(bytes.length, position + length)),
    close: () => {},
  }
}

/** The first `length` bytes (fewer when the source is shorter). */
export function head(source: ByteSource, length: number): Buffer {
  const buffer = Buffer.alloc(Math.min(length, source.size))
  const n = source.read(buffer, 0, buffer.length)
  return buffer.subarray(0, n)
}
