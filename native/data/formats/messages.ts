/** One chat message as TRL's conversational datasets write it. */
export interface Message {
  role: string
  content: string
}

/** A text as Nashlab stores it: the readable rendering, and the message list when the row had one. */
export interface TextValue {
  text: string
  messages?: Message[]
}

const roleNames: Record<string, string> = { user: 'User', assistant: 'Assistant', system: 'System', tool: 'Tool', human: 'Human' }

function roleName(role: string): string {
  return roleNames[role] ?? role.charAt(0).toUpperCase() + role.slice(1)
}

/**
 * The readable text of a message list: a lone message of the expected role is just its content
 * (so a one-turn conversational prompt reads like a standard one); otherwise each message is
 * "Role: content", separated by blank lines.
 */
export function renderMessages(messages: Message[], loneRole: 'user' | 'assistant'): string {
  if (messages.length === 1 && messages[0].role === loneRole) return messages[0].content
  return messages.map((m) => `${roleName(m.role)}: ${m.content}`).join('\n\n')
}

export function sameMessage(x: Message, y: Message): boolean {
  return x.role === y.role && x.content === y.content
}

/** Message lists for export: the stored list, or the text wrapped as one message of `role`. */
export function asMessages(value: { text: string; messages: string | null }, role: 'user' | 'assistant'): Message[] {
  return value.messages ? (JSON.parse(value.messages) as Message[]) : [{ role, content: value.text }]
}
