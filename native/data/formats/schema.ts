import type { Outcome } from '../../api/contract'
import type { TextValue } from './messages'
import type { Row } from './row'

/** What one input row becomes. */
export type ImportItem =
  | {
      kind: 'comparison'
      prompt: TextValue
      a: TextValue
      b: TextValue
      outcome: Outcome
      annotator: string | null
      shownLeft: 'a' | 'b' | null
      /** Where each response came from ('import', or 'import:<policy>' when the file names it). */
      sourceA?: string
      sourceB?: string
    }
  | { kind: 'feedback'; prompt: TextValue; completion: TextValue; label: 0 | 1; annotator: string | null }
  | { kind: 'prompt'; prompt: TextValue }

export type FormatName = 'trl' | 'hh-rlhf' | 'tldr' | 'map'

/**
 * A recognised row layout: the format family, a readable name ("TRL preference, conversational"),
 * the kind of record it yields, the top-level columns it reads (so Parquet decodes only those),
 * and the mapping of one row.
 */
export interface Schema {
  format: FormatName
  name: string
  kind: ImportItem['kind']
  columns: string[]
  map(row: Row): ImportItem
}
