import type { ColumnMapping } from '../../api/contract'
import { NashlabError } from '../../api/errors'
import { hhSchema } from './hh-rlhf'
import { mappingSchema } from './mapping'
import type { Row } from './row'
import type { FormatName, Schema } from './schema'
import { tldrSchema } from './tldr'
import { trlSchema } from './trl'

export type FormatChoice = 'auto' | FormatName

const recognised =
  'Nashlab recognises TRL (prompt/chosen/rejected, chosen/rejected, prompt/completion/label, prompt), Anthropic HH-RLHF (chosen/rejected transcripts) and OpenAI summarize-from-feedback (info/summaries/choice/worker)'

/**
 * The schema of a file, from its first row: the one the caller chose, or the first that fits in
 * the order summarize-from-feedback, HH-RLHF, TRL (HH-RLHF before TRL so that Human/Assistant
 * transcripts split at the last Assistant turn rather than at the first differing character).
 */
export function detectSchema(first: Row, choice: FormatChoice, mapping?: ColumnMapping): Schema {
  const columns = first.keys().map((k) => `"${k}"`).join(', ')
  const refuse = (what: string) =>
    first.fail(undefined, `the row is not ${what} (its fields are ${columns}); ${recognised}, or choose a column mapping (--format map --map JSON)`)
  switch (choice) {
    case 'map':
      if (!mapping) throw new NashlabError('invalid_input', 'The "map" format needs a column mapping (--map \'{"prompt": "...", "chosen": "...", "rejected": "..."}\').', { field: 'map' })
      return mappingSchema(mapping, first)
    case 'tldr':
      return tldrSchema(first, true) ?? refuse('a summarize-from-feedback comparison')
    case 'hh-rlhf':
      return hhSchema(first, true) ?? refuse('an HH-RLHF pair of transcripts')
    case 'trl':
      return trlSchema(first) ?? refuse('in a TRL layout')
    case 'auto':
      return tldrSchema(first, false) ?? hhSchema(first, false) ?? trlSchema(first) ?? refuse('in a layout Nashlab recognises')
  }
}
