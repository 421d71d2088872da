import type { ByteSource } from '../byte-source'
import { textChunks } from '../text-chunks'
import { badFile, badRow } from '../where'
import type { RecordSource, SourceRecord } from './source'

/**
 * JSON Lines: one JSON object per line; blank lines are skipped. A line that is not valid JSON is
 * reported with its number and the parser's complaint.
 */
export function jsonlSource(bytes: ByteSource, options: { maxLineBytes: number }): RecordSource {
  let done = 0
  return {
    container: 'jsonl',
    cellsAreText: false,
    progress: () => ({ done, total: bytes.size, unit: 'bytes' }),
    close: () => bytes.close(),
    async *batches() {
      for (const chunk of textChunks(bytes, options)) {
        const batch: SourceRecord[] = []
        const { text } = chunk
        let line = chunk.firstLine
        let start = 0
        while (start < text.length) {
          let end = text.indexOf('\n', start)
          if (end === -1) end = text.length
          const raw = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end)
          if (raw.length > 0 && !isBlank(raw)) batch.push({ value: parseLine(raw, bytes.name, line), where: { file: bytes.name, line } })
          start = end + 1
          line++
        }
        done = chunk.bytesDone
        yield batch
      }
    },
  }
}

function parseLine(raw: string, file: string, line: number): unknown {
  try {
    return JSON.parse(raw)
  } catch (error) {
    if (line === 1 && raw.trim() === '{') {
      throw badFile(file, 'holds one JSON object spread over many lines; Nashlab reads JSON Lines (one object per line) or a JSON array of rows')
    }
    throw badRow({ file, line }, undefined, `not valid JSON (${(error as Error).message})`)
  }
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c !== 32 && c !== 9 && c !== 13) return false
  }
  return true
}
