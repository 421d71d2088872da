import type { ColumnMapping } from '../../api/contract'
import { NashlabError } from '../../api/errors'
import type { Row } from './row'
import type { Schema } from './schema'

/**
 * A column mapping the user chose: which column holds the prompt, and either
 * - `chosen` + `rejected` (response a = chosen won), or
 * - `responseA` + `responseB` + `outcome` (a, b, tie, both_bad, model_a/model_b, or 0/1), or
 * - `completion` + `label` (unpaired feedback), or
 * - nothing more (prompts only);
 * optionally `annotator` and `shownLeft` (a or b). Columns may be dotted paths into nested objects.
 */
export function mappingSchema(mapping: ColumnMapping, first: Row): Schema {
  const used = Object.entries(mapping).filter(([, column]) => column !== undefined && column !== '') as [keyof ColumnMapping, string][]
  for (const [role, column] of used) {
    if (!first.has(column)) {
      first.fail(column, `the mapping puts ${role} in column "${column}", which the file does not have (it has ${first.keys().map((k) => `"${k}"`).join(', ')})`)
    }
  }
  const m = mapping
  const columns = [...new Set(used.map(([, column]) => column.split('.')[0]))]
  const extras = (r: Row) => ({
    annotator: m.annotator ? r.optionalText(m.annotator) : null,
    shownLeft: m.shownLeft ? r.shownLeft(m.shownLeft) : null,
  })
  const pairs = [m.chosen || m.rejected, m.responseA || m.responseB || m.outcome, m.completion || m.label].filter(Boolean).length
  if (pairs > 1) throw invalid('map either chosen/rejected, or responseA/responseB/outcome, or completion/label, not several')
  if (m.chosen || m.rejected) {
    if (!m.chosen || !m.rejected) throw invalid('a mapping with chosen needs rejected too (and the other way round)')
    const { chosen, rejected } = m
    return {
      format: 'map',
      name: 'column mapping: prompt, chosen, rejected',
      kind: 'comparison',
      columns,
      map: (r) => ({ kind: 'comparison', prompt: r.textOrMessages(m.prompt, 'user'), a: r.textOrMessages(chosen, 'assistant'), b: r.textOrMessages(rejected, 'assistant'), outcome: 'a', ...extras(r) }),
    }
  }
  if (m.responseA || m.responseB || m.outcome) {
    if (!m.responseA || !m.responseB || !m.outcome) throw invalid('a mapping with responseA needs responseB and outcome too')
    const { responseA, responseB, outcome } = m
    return {
      format: 'map',
      name: 'column mapping: prompt, response a, response b, outcome',
      kind: 'comparison',
      columns,
      map: (r) => ({
        kind: 'comparison',
        prompt: r.textOrMessages(m.prompt, 'user'),
        a: r.textOrMessages(responseA, 'assistant'),
        b: r.textOrMessages(responseB, 'assistant'),
        outcome: r.outcome(outcome),
        ...extras(r),
      }),
    }
  }
  if (m.completion || m.label) {
    if (!m.completion || !m.label) throw invalid('a mapping with completion needs label too')
    const { completion, label } = m
    return {
      format: 'map',
      name: 'column mapping: prompt, completion, label',
      kind: 'feedback',
      columns,
      map: (r) => ({ kind: 'feedback', prompt: r.textOrMessages(m.prompt, 'user'), completion: r.textOrMessages(completion, 'assistant'), label: r.label(label), annotator: extras(r).annotator }),
    }
  }
  return {
    format: 'map',
    name: 'column mapping: prompt only',
    kind: 'prompt',
    columns,
    map: (r) => ({ kind: 'prompt', prompt: r.textOrMessages(m.prompt, 'user') }),
  }
}

function invalid(problem: string): NashlabError {
  return new NashlabError('invalid_input', `The column mapping is incomplete: ${problem}.`, { field: 'map' })
}

const guesses: [keyof ColumnMapping, string[]][] = [
  ['prompt', ['prompt', 'question', 'instruction', 'input', 'query', 'context', 'post', 'conversation']],
  ['chosen', ['chosen', 'preferred', 'response_j', 'better', 'good', 'accepted']],
  ['rejected', ['rejected', 'dispreferred', 'response_k', 'loser', 'worse', 'bad']],
  ['responseA', ['response_a', 'responsea', 'answer_a', 'completion_a', 'output_a', 'conversation_a', 'model_a_response', 'response_0', 'response1']],
  ['responseB', ['response_b', 'responseb', 'answer_b', 'completion_b', 'output_b', 'conversation_b', 'model_b_response', 'response_1', 'response2']],
  ['outcome', ['outcome', 'winner', 'preference', 'choice', 'label_pair', 'better_response_id']],
  ['completion', ['completion', 'response', 'answer', 'output']],
  ['label', ['label', 'rating', 'thumbs_up', 'is_good']],
  ['annotator', ['annotator', 'worker', 'judge', 'rater', 'labeler', 'user_id']],
  ['shownLeft', ['shown_left', 'left', 'position']],
]

/** A first guess at a mapping from column names (the UI offers it for the user to correct). */
export function suggestMapping(columns: string[]): ColumnMapping | null {
  const lower = new Map(columns.map((c) => [c.toLowerCase(), c]))
  const found: Partial<Record<keyof ColumnMapping, string>> = {}
  const taken = new Set<string>()
  for (const [role, names] of guesses) {
    const hit = names.map((n) => lower.get(n)).find((c) => c !== undefined && !taken.has(c))
    if (hit) {
      found[role] = hit
      taken.add(hit)
    }
  }
  if (!found.prompt) return null
  const mapping: ColumnMapping = { prompt: found.prompt }
  const copy = (...roles: (keyof ColumnMapping)[]) => roles.forEach((role) => found[role] && (mapping[role] = found[role]))
  if (found.chosen && found.rejected) copy('chosen', 'rejected')
  else if (found.responseA && found.responseB && found.outcome) copy('responseA', 'responseB', 'outcome')
  else if (found.completion && found.label) copy('completion', 'label')
  copy('annotator', 'shownLeft')
  return mapping
}
