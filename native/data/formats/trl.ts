import { renderMessages, sameMessage, type TextValue } from './messages'
import type { Row } from './row'
import type { Schema } from './schema'
import { hhAssistantMarker, hhTurns, splitHhTranscripts } from './hh-rlhf'

/**
 * TRL's dataset layouts (https://huggingface.co/docs/trl/dataset_formats), standard (text) or
 * conversational (message lists), each row mapped to what Nashlab stores:
 * - preference `{prompt, chosen, rejected}` → a comparison that response a (chosen) won;
 * - implicit-prompt preference `{chosen, rejected}` → the shared beginning becomes the prompt
 *   (whole messages for conversations; for text, the HH-RLHF split when the texts are Human /
 *   Assistant transcripts, else TRL's own rule: up to the first differing character);
 * - unpaired preference `{prompt, completion, label}` → one feedback record (label true = good);
 * - prompt-only `{prompt}` → a prompt.
 * An optional `annotator` column is kept. A row with only part of a layout (chosen without rejected)
 * is read as that layout, so the error names the missing field.
 */
export function trlSchema(row: Row): Schema | null {
  const has = (k: string) => row.has(k)
  const annotator = has('annotator') ? ['annotator'] : []
  // Either half of a pair is enough to tell the layout; the row's mapping then names what is missing.
  if (has('chosen') || has('rejected')) {
    if (has('prompt')) {
      return {
        format: 'trl',
        name: `TRL preference, ${style(row, 'prompt', 'chosen', 'rejected')}`,
        kind: 'comparison',
        columns: ['prompt', 'chosen', 'rejected', ...annotator],
        map: (r) => ({
          kind: 'comparison',
          prompt: r.textOrMessages('prompt', 'user'),
          a: r.textOrMessages('chosen', 'assistant'),
          b: r.textOrMessages('rejected', 'assistant'),
          outcome: 'a',
          annotator: r.optionalText('annotator'),
          shownLeft: null,
        }),
      }
    }
    return {
      format: 'trl',
      name: `TRL preference with implicit prompt, ${style(row, 'chosen', 'rejected')}`,
      kind: 'comparison',
      columns: ['chosen', 'rejected', ...annotator],
      map: (r) => {
        const { prompt, chosen, rejected } = splitImplicit(r)
        return { kind: 'comparison', prompt, a: chosen, b: rejected, outcome: 'a', annotator: r.optionalText('annotator'), shownLeft: null }
      },
    }
  }
  if (has('prompt') && (has('completion') || has('label'))) {
    return {
      format: 'trl',
      name: `TRL unpaired preference, ${style(row, 'prompt', 'completion')}`,
      kind: 'feedback',
      columns: ['prompt', 'completion', 'label', ...annotator],
      map: (r) => ({
        kind: 'feedback',
        prompt: r.textOrMessages('prompt', 'user'),
        completion: r.textOrMessages('completion', 'assistant'),
        label: r.label('label'),
        annotator: r.optionalText('annotator'),
      }),
    }
  }
  if (has('prompt') && !has('completion') && !has('chosen') && !has('rejected')) {
    return {
      format: 'trl',
      name: `TRL prompt-only, ${style(row, 'prompt')}`,
      kind: 'prompt',
      columns: ['prompt'],
      map: (r) => ({ kind: 'prompt', prompt: r.textOrMessages('prompt', 'user') }),
    }
  }
  return null
}

/** Conversational when any of the row's text fields holds a message list. */
function style(row: Row, ...fields: string[]): 'standard' | 'conversational' {
  const list = (v: unknown) => Array.isArray(v) || (row.options.cellsAreText && typeof v === 'string' && v.startsWith('[{'))
  return fields.some((f) => list(row.get(f))) ? 'conversational' : 'standard'
}

/** Split chosen / rejected that carry their prompt inside them. */
function splitImplicit(r: Row): { prompt: TextValue; chosen: TextValue; rejected: TextValue } {
  const chosen = r.textOrMessages('chosen', 'assistant')
  const rejected = r.textOrMessages('rejected', 'assistant')
  if (chosen.messages && rejected.messages) {
    const x = chosen.messages
    const y = rejected.messages
    let k = 0
    while (k < x.length && k < y.length && sameMessage(x[k], y[k])) k++
    if (k === 0) r.fail('chosen', 'chosen and rejected share no first message, so there is no prompt to split off (add a "prompt" field)')
    if (k === x.length || k === y.length) r.fail('chosen', 'one of chosen and rejected is only the shared prompt, with no response after it')
    const prompt = x.slice(0, k)
    const wrap = (messages: typeof x, loneRole: 'user' | 'assistant'): TextValue => ({
      text: r.checkText('chosen', renderMessages(messages, loneRole)),
      messages,
    })
    return { prompt: wrap(prompt, 'user'), chosen: wrap(x.slice(k), 'assistant'), rejected: wrap(y.slice(k), 'assistant') }
  }
  if (chosen.messages || rejected.messages) r.fail('rejected', 'chosen and rejected must both be text or both be message lists')
  if (chosen.text.includes(hhAssistantMarker)) {
    const split = splitHhTranscripts(r, chosen.text, rejected.text)
    return { prompt: { text: split.prompt, messages: hhTurns(split.prompt) }, chosen: { text: split.chosen }, rejected: { text: split.rejected } }
  }
  const split = splitAtFirstDifference(chosen.text, rejected.text)
  if (split.prompt.length === 0) r.fail('chosen', 'chosen and rejected share no beginning, so there is no prompt to split off (add a "prompt" field)')
  return { prompt: { text: split.prompt }, chosen: { text: split.chosen }, rejected: { text: split.rejected } }
}

/**
 * TRL's rule for implicit text prompts: the prompt runs up to the first character where chosen
 * and rejected differ; a space just before that point goes to the responses.
 */
export function splitAtFirstDifference(chosen: string, rejected: string): { prompt: string; chosen: string; rejected: string } {
  const n = Math.min(chosen.length, rejected.length)
  let i = 0
  while (i < n && chosen.charCodeAt(i) === rejected.charCodeAt(i)) i++
  if (i < n && i > 0 && chosen.charCodeAt(i - 1) === 32) i--
  return { prompt: chosen.slice(0, i), chosen: chosen.slice(i), rejected: rejected.slice(i) }
}
