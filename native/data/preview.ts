import type { ImportPreview } from '../api/contract'
import { NashlabError } from '../api/errors'
import { detectSchema } from './formats/detect'
import { suggestMapping } from './formats/mapping'
import { Row } from './formats/row'
import type { Schema } from './formats/schema'
import { openBytes, openRows, type ReadRequest } from './import'
import type { RecordSource, SourceRecord } from './sources'
import { badFile } from './where'

export type PreviewRequest = ReadRequest

const sampleRows = 5
const cut = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…` : s)

/**
 * What an import would see, without writing: the container, the first rows' columns and values,
 * the recognised schema (or the reason none fits, e.g. unknown columns), a guessed column mapping,
 * and the first rows as they would be stored. Reads only the first chunk (or Parquet's first rows).
 */
export async function previewImport(request: PreviewRequest): Promise<ImportPreview> {
  const bytes = openBytes(request)
  let source: RecordSource | undefined
  try {
    const opened = await openRows(bytes, { ...request, format: null })
    source = opened.source
    const records: SourceRecord[] = []
    for await (const batch of opened.rest) {
      records.push(...batch.slice(0, sampleRows - records.length))
      if (records.length >= sampleRows) break
    }
    if (records.length === 0) throw badFile(bytes.name, 'holds no rows')
    const options = { cellsAreText: source.cellsAreText, maxFieldChars: request.maxFieldChars }
    const sample = records.map((r) => shorten(r.value) as Record<string, unknown>)
    const columns = [...new Set(sample.flatMap((r) => (typeof r === 'object' && r !== null && !Array.isArray(r) ? Object.keys(r) : [])))]
    const items: ImportPreview['items'] = []
    let problem: string | null = null
    let schema: Schema | null = null
    try {
      schema = detectSchema(Row.of(records[0], options), request.format, request.map)
      for (const record of records) {
        const item = schema.map(Row.of(record, options))
        if (item.kind === 'comparison') items.push({ prompt: cut(item.prompt.text), a: cut(item.a.text), b: cut(item.b.text), outcome: item.outcome, annotator: item.annotator })
        else if (item.kind === 'feedback') items.push({ prompt: cut(item.prompt.text), completion: cut(item.completion.text), label: item.label, annotator: item.annotator })
        else items.push({ prompt: cut(item.prompt.text) })
      }
    } catch (error) {
      if (!(error instanceof NashlabError) || (error.code !== 'bad_file' && error.code !== 'invalid_input')) throw error
      problem = error.message
    }
    return {
      container: source.container,
      columns,
      sample,
      detected: schema && !problem ? { format: schema.format, schema: schema.name, kind: schema.kind } : null,
      problem,
      suggestedMapping: suggestMapping(columns),
      items,
    }
  } finally {
    if (source) source.close()
    else bytes.close()
  }
}

/** Cut long texts in a sample value so a preview stays small. */
function shorten(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return cut(v)
  if (typeof v === 'bigint') return Number(v)
  if (Array.isArray(v)) return v.slice(0, 10).map((x) => shorten(x, depth + 1))
  if (typeof v === 'object' && v !== null && depth < 4 && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shorten(x, depth + 1)]))
  }
  return v instanceof Uint8Array ? `(${v.length} bytes)` : v
}
