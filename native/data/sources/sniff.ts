import path from 'node:path'
import { head, type ByteSource } from '../byte-source'
import { badFile } from '../where'
import type { Container } from './source'

/** What each extension promises. `.json` may hold an array or JSON Lines (both are common). */
const byExtension: Record<string, Container[]> = {
  '.jsonl': ['jsonl'],
  '.ndjson': ['jsonl'],
  '.json': ['json', 'jsonl'],
  '.csv': ['csv'],
  '.tsv': ['tsv'],
  '.tab': ['tsv'],
  '.parquet': ['parquet'],
  '.pq': ['parquet'],
}

const describe: Record<Container, string> = {
  jsonl: 'JSON Lines',
  json: 'a JSON array',
  csv: 'CSV',
  tsv: 'TSV',
  parquet: 'Parquet',
}

const magic: [string, number[]][] = [
  ['gzip-compressed', [0x1f, 0x8b]],
  ['a zip archive', [0x50, 0x4b, 0x03, 0x04]],
  ['bzip2-compressed', [0x42, 0x5a, 0x68]],
  ['xz-compressed', [0xfd, 0x37, 0x7a, 0x58, 0x5a]],
  ['zstd-compressed', [0x28, 0xb5, 0x2f, 0xfd]],
  ['an SQLite database', [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65]],
]

/**
 * Decide a file's container from its first bytes, and check that its extension agrees. A file
 * whose content contradicts its extension is refused (with what it looks like), unless the caller
 * named the container. Empty, compressed, binary and UTF-16 files are refused with the reason.
 */
export function sniffContainer(source: ByteSource, declared?: Container): Container {
  const file = source.name
  if (source.size === 0) throw badFile(file, 'is empty')
  const bytes = head(source, 64 * 1024)
  const ext = path.extname(file).toLowerCase()
  const promised = byExtension[ext]
  const content = contentKind(bytes, file)
  if (content === 'empty') throw badFile(file, 'is empty (it holds only white space)')
  const container: Container = content === 'table' ? tableKind(declared, ext, bytes) : content
  if (declared) {
    if (family(declared) !== family(container)) {
      throw badFile(file, `was to be read as ${describe[declared]} but its content is ${describe[container]}`, { container })
    }
    // Within JSON the content decides (an array or lines); within tables the caller does.
    return family(declared) === 'json' ? container : declared
  }
  if (promised && !promised.includes(container)) {
    throw badFile(file, `has the extension ${ext} but its content looks like ${describe[container]}; rename the file or choose its container explicitly`, { container })
  }
  return container
}

function family(c: Container): 'json' | 'table' | 'parquet' {
  return c === 'parquet' ? 'parquet' : c === 'csv' || c === 'tsv' ? 'table' : 'json'
}

function contentKind(bytes: Buffer, file: string): Container | 'table' | 'empty' {
  if (bytes.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet'
  for (const [what, signature] of magic) {
    if (signature.every((b, i) => bytes[i] === b)) throw badFile(file, `is ${what}, not a data file Nashlab reads; unpack it first`)
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw badFile(file, 'is UTF-16 text; save it as UTF-8')
  }
  if (bytes.includes(0)) throw badFile(file, 'is binary (it holds NUL bytes), not text or Parquet')
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++
  if (i === bytes.length) return 'empty'
  if (bytes[i] === 0x5b) return 'json'
  if (bytes[i] === 0x7b) return 'jsonl'
  return 'table'
}

/** CSV or TSV: the extension or the caller decides; else whichever delimiter the first line has more of. */
function tableKind(declared: Container | undefined, ext: string, bytes: Buffer): Container {
  if (declared === 'csv' || declared === 'tsv') return declared
  if (ext === '.csv') return 'csv'
  if (ext === '.tsv' || ext === '.tab') return 'tsv'
  const end = bytes.indexOf(10)
  const firstLine = bytes.subarray(0, end === -1 ? bytes.length : end)
  let tabs = 0
  let commas = 0
  for (const b of firstLine) {
    if (b === 0x09) tabs++
    else if (b === 0x2c) commas++
  }
  return tabs > commas ? 'tsv' : 'csv'
}
