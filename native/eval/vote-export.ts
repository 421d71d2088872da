import fs from 'node:fs'
import path from 'node:path'
import type { VoteExport } from '../api/votes'
import { NashlabError } from '../api/errors'
import { DatasetRepository } from '../store/datasets'
import type { Db } from '../store/db'

/**
 * A dataset's human votes as TRL's standard preference rows, one JSON object per line:
 * `{"prompt", "chosen", "rejected", "annotator"}` (TRL ignores the extra column). The winner is
 * chosen; ties and both-bad votes have no winner and are counted as skipped. The file is written
 * to a temporary name and renamed, so a failed export leaves no half-written file.
 */
export function exportVotes(db: Db, input: { dataset: string; path: string; annotator?: string }): VoteExport {
  const dataset = new DatasetRepository(db).get(input.dataset)
  const rows = db
    .prepare(
      `SELECT p.text AS prompt, ra.text AS a, rb.text AS b, c.outcome, c.annotator
         FROM comparisons c
         JOIN prompts p ON p.id = c.prompt_id
         JOIN responses ra ON ra.id = c.response_a
         JOIN responses rb ON rb.id = c.response_b
        WHERE c.dataset_id = ? AND c.source = 'human' AND (? IS NULL OR c.annotator = ?)
        ORDER BY c.id`,
    )
    .all(dataset.id, input.annotator ?? null, input.annotator ?? null) as { prompt: string; a: string; b: string; outcome: string; annotator: string | null }[]
  const skipped = { ties: 0, bothBad: 0 }
  const lines: string[] = []
  for (const r of rows) {
    if (r.outcome === 'tie') skipped.ties++
    else if (r.outcome === 'both_bad') skipped.bothBad++
    else {
      const [chosen, rejected] = r.outcome === 'a' ? [r.a, r.b] : [r.b, r.a]
      lines.push(JSON.stringify({ prompt: r.prompt, chosen, rejected, ...(r.annotator !== null ? { annotator: r.annotator } : {}) }))
    }
  }
  if (rows.length === 0) {
    const who = input.annotator ? ` by "${input.annotator}"` : ''
    throw new NashlabError('invalid_input', `The dataset "${input.dataset}" has no human votes${who} to export.`, { dataset: input.dataset })
  }
  const file = path.resolve(input.path)
  const text = lines.length > 0 ? `${lines.join('\n')}\n` : ''
  const partial = `${file}.partial-${process.pid}`
  try {
    fs.writeFileSync(partial, text)
    fs.renameSync(partial, file)
  } catch (error) {
    fs.rmSync(partial, { force: true })
    throw new NashlabError('invalid_input', `Could not write ${file}: ${(error as Error).message}`, { path: file })
  }
  return { path: file, rows: lines.length, skipped, bytes: Buffer.byteLength(text) }
}
