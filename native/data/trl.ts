import { NashlabError } from '../api/errors'
import type { NewComparison } from '../store/datasets'

/**
 * TRL's standard preference row `{prompt, chosen, rejected}` (all strings) → one comparison in
 * which response a (chosen) won. Throws a `bad_file` error naming the file, line and field.
 */
export function trlPreferenceRow(value: unknown, where: { file: string; line: number }): NewComparison {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRow(where, undefined, 'expected a JSON object with prompt, chosen and rejected')
  }
  const row = value as Record<string, unknown>
  const text = (field: string): string => {
    if (!(field in row)) throw badRow(where, field, `missing field "${field}"`)
    const v = row[field]
    if (typeof v !== 'string') throw badRow(where, field, `field "${field}" must be a string, got ${describe(v)}`)
    return v
  }
  return { prompt: text('prompt'), a: text('chosen'), b: text('rejected'), outcome: 'a' }
}

export function badRow(where: { file: string; line: number }, field: string | undefined, problem: string): NashlabError {
  return new NashlabError('bad_file', `${where.file}, line ${where.line}: ${problem}. Nothing was imported.`, {
    file: where.file,
    line: where.line,
    ...(field ? { field } : {}),
  })
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`
}
