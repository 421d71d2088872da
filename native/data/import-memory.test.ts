import v8 from 'node:v8'
import vm from 'node:vm'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { defaultMaxFieldChars } from '../api/datasets'
import type { ByteSource } from './byte-source'
import { importBytes } from './import'
import { openBench, type TestBench } from './testing'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

let bench: TestBench
beforeEach(() => {
  bench = openBench()
})
afterEach(() => bench.close())

const rowBytes = 4096
const rows = 4_000
/** Rows of the import before the measured one, so that compiled code and caches are in place. */
const warmRows = 500
/** The file is 16 MiB; the import may read at most this far past the rows it has written. */
const window = 4 << 20
/**
 * Live JavaScript memory (heap, buffers) may grow by at most this much from the fourth read to the
 * last (measured: 2–4 MiB; an importer keeping the text it read grows by what it read, 12 MiB).
 */
const heapBound = 8 << 20

type Layout = { name: string; header: string; row: (k: number, last: boolean) => string; trailer: string }

/** Pad `text` with "x" at the marker so that the row is exactly `rowBytes` long. */
function padded(text: (pad: string) => string): string {
  const bare = text('')
  return text('x'.repeat(rowBytes - Buffer.byteLength(bare)))
}

const layouts: Layout[] = [
  {
    name: 'rows.jsonl',
    header: '',
    row: (k) => padded((pad) => `${JSON.stringify({ prompt: `topic ${k % 100}?`, chosen: `good answer ${k}`, rejected: `bad answer ${k} ${pad}` })}\n`),
    trailer: '',
  },
  {
    name: 'rows.json',
    header: '[\n',
    row: (k, last) => padded((pad) => `${JSON.stringify({ prompt: `topic ${k % 100}?`, chosen: `good answer ${k}`, rejected: `bad answer ${k} ${pad}` })}${last ? '\n]' : ',\n'}`),
    trailer: '\n',
  },
  {
    name: 'rows.csv',
    header: 'prompt,chosen,rejected\n',
    row: (k) => padded((pad) => `topic ${k % 100}?,good answer ${k},bad answer ${k} ${pad}\n`),
    trailer: '',
  },
]

/**
 * A file that exists only as it is read: `rows` rows of `rowBytes` bytes each, made on demand.
 * Each read checks that it asks for at most `window` bytes and starts at most that far past the
 * rows written so far (the rows the open transaction holds), so an importer that read the file
 * ahead of its writing (all of it first, say) fails here; every second read also weighs the live
 * JavaScript memory (after a full collection), which must stay flat while the file goes by.
 */
function virtualFile(layout: Layout, rows: number, written: () => number): ByteSource & { heap: number[]; reads: number } {
  const header = Buffer.from(layout.header)
  const trailer = Buffer.from(layout.trailer)
  const size = header.length + rows * rowBytes + trailer.length
  const file = {
    name: layout.name,
    size,
    heap: [] as number[],
    reads: 0,
    read(target: Buffer, position: number, length: number): number {
      const rowsBefore = Math.max(0, Math.floor((position - header.length) / rowBytes))
      if (length > window) throw new Error(`read of ${length} bytes at once`)
      if (position > 0 && position - header.length - written() * rowBytes > window) {
        throw new Error(`read at byte ${position} with ${written()} rows written: ${rowsBefore - written()} rows ahead of the writing`)
      }
      file.reads++
      gc()
      const m = process.memoryUsage()
      file.heap.push(m.heapUsed + m.arrayBuffers)
      const end = Math.min(size, position + length)
      let n = 0
      for (let at = position; at < end; ) {
        let piece: Buffer
        let start: number
        if (at < header.length) {
          piece = header
          start = 0
        } else if (at < header.length + rows * rowBytes) {
          const k = Math.floor((at - header.length) / rowBytes)
          piece = Buffer.from(layout.row(k, k === rows - 1))
          start = header.length + k * rowBytes
        } else {
          piece = trailer
          start = header.length + rows * rowBytes
        }
        const copied = piece.copy(target, n, at - start, Math.min(piece.length, end - start))
        n += copied
        at += copied
      }
      return n
    },
    close() {},
  }
  return file
}

test.each(layouts)('an import of $name reads it a chunk at a time and holds no more of it than that', async (layout) => {
  const db = bench.engine.db
  const lastId = () => db.prepare('SELECT coalesce(max(id), 0) FROM comparisons').pluck().get() as number
  let before = 0
  const written = () => lastId() - before
  const request = { format: 'auto', onDuplicate: 'keep', maxFieldChars: defaultMaxFieldChars } as const
  await importBytes(db, virtualFile(layout, warmRows, () => 0), { ...request, dataset: 'warm-up' })
  before = lastId()
  const file = virtualFile(layout, rows, written)
  const result = await importBytes(db, file, { ...request, dataset: layout.name })
  expect(result.comparisons).toBe(rows)
  expect(result.prompts).toBe(100)
  // Every byte was read, in about one read per MiB.
  expect(file.reads).toBeGreaterThanOrEqual(Math.floor(file.size / (1 << 20)))
  // By the fourth read a few chunks are in flight (the bytes, their text, the parsed rows); from there on nothing may pile up.
  const steady = file.heap.slice(3)
  expect(Math.max(...steady) - steady[0]).toBeLessThan(heapBound)
  const last = await bench.engine.call('datasets.comparisons', { name: layout.name, offset: rows - 1, limit: 1 })
  expect(last.rows[0].responseB).toMatch(new RegExp(`^bad answer ${rows - 1} x+$`))
})
