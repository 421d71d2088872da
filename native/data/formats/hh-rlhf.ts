import type { Message } from './messages'
import type { Row } from './row'
import type { Schema } from './schema'

export const hhAssistantMarker = '\n\nAssistant:'
export const hhHumanMarker = '\n\nHuman:'

/**
 * Anthropic HH-RLHF: `{chosen, rejected}`, each a whole "\n\nHuman: … \n\nAssistant: …" transcript.
 * The transcripts share the dialogue up to the last Assistant turn; that shared part, up to and
 * including its last "\n\nAssistant:", is the prompt, and what follows (less the one space after
 * the colon) is each response. Response a (chosen) won.
 */
export function hhSchema(row: Row, forced: boolean): Schema | null {
  if (!row.has('chosen') || row.has('prompt')) return null
  const chosen = row.get('chosen')
  if (!forced && !(typeof chosen === 'string' && chosen.includes(hhAssistantMarker))) return null
  return {
    format: 'hh-rlhf',
    name: 'Anthropic HH-RLHF transcripts',
    kind: 'comparison',
    columns: ['chosen', 'rejected'],
    map: (r) => {
      const split = splitHhTranscripts(r, r.text('chosen'), r.text('rejected'))
      return {
        kind: 'comparison',
        prompt: { text: split.prompt, messages: hhTurns(split.prompt) },
        a: { text: split.chosen },
        b: { text: split.rejected },
        outcome: 'a',
        annotator: null,
        shownLeft: null,
      }
    },
  }
}

export function splitHhTranscripts(r: Row, chosen: string, rejected: string): { prompt: string; chosen: string; rejected: string } {
  const n = Math.min(chosen.length, rejected.length)
  let common = 0
  while (common < n && chosen.charCodeAt(common) === rejected.charCodeAt(common)) common++
  const cut = common >= hhAssistantMarker.length ? chosen.lastIndexOf(hhAssistantMarker, common - hhAssistantMarker.length) : -1
  if (cut === -1) {
    r.fail('chosen', `chosen and rejected share no dialogue ending in "${hhAssistantMarker.trim()}", so the prompt cannot be split off (is this an HH-RLHF file?)`)
  }
  const end = cut + hhAssistantMarker.length
  const response = (s: string) => (s.charCodeAt(end) === 32 ? s.slice(end + 1) : s.slice(end))
  return { prompt: chosen.slice(0, end), chosen: response(chosen), rejected: response(rejected) }
}

/**
 * The turns of an HH-RLHF prompt as messages (Human → user, Assistant → assistant), the final empty
 * "Assistant:" dropped, so a conversational export reads as TRL's own HH conversion does.
 */
export function hhTurns(prompt: string): Message[] | undefined {
  const parts = prompt.split(/\n\n(Human|Assistant):/)
  // parts: [before, role, content, role, content, ...]
  if (parts.length < 3 || parts[0].trim() !== '') return undefined
  const messages: Message[] = []
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const content = parts[i + 1].startsWith(' ') ? parts[i + 1].slice(1) : parts[i + 1]
    messages.push({ role: parts[i] === 'Human' ? 'user' : 'assistant', content })
  }
  const last = messages[messages.length - 1]
  if (last.role === 'assistant' && last.content === '') messages.pop()
  return messages.length > 0 ? messages : undefined
}
