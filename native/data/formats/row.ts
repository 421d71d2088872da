import type { Outcome } from '../../api/contract'
import type { SourceRecord } from '../sources'
import { badRow, describeValue, type Location } from '../where'
import { renderMessages, type Message, type TextValue } from './messages'

export interface RowOptions {
  /** CSV and TSV cells are always text: numbers, booleans and message lists arrive as strings. */
  cellsAreText: boolean
  /** Longest text accepted in one field, in characters. */
  maxFieldChars: number
}

/**
 * One input row with typed, located field access: every accessor names the file, the line or
 * row, and the field when the value is missing, of the wrong type or too large. Paths may be
 * dotted (`info.post`) to reach into nested objects; a column literally named so wins.
 */
export class Row {
  constructor(
    readonly value: Record<string, unknown>,
    readonly where: Location,
    readonly options: RowOptions,
  ) {}

  static of(record: SourceRecord, options: RowOptions): Row {
    const v = record.value
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw badRow(record.where, undefined, `expected an object of named fields, got ${describeValue(v)}`)
    }
    return new Row(v as Record<string, unknown>, record.where, options)
  }

  keys(): string[] {
    return Object.keys(this.value)
  }

  has(path: string): boolean {
    return this.get(path) !== undefined
  }

  get(path: string): unknown {
    if (path in this.value) return this.value[path]
    if (!path.includes('.')) return undefined
    let v: unknown = this.value
    for (const part of path.split('.')) {
      if (typeof v !== 'object' || v === null) return undefined
      v = Array.isArray(v) && /^\d+$/.test(part) ? v[Number(part)] : (v as Record<string, unknown>)[part]
    }
    return v
  }

  fail(field: string | undefined, problem: string): never {
    throw badRow(this.where, field, problem)
  }

  required(path: string): unknown {
    const v = this.get(path)
    if (v === undefined) this.fail(path, `missing field "${path}"`)
    return v
  }

  /** A required text field. */
  text(path: string): string {
    return this.checkText(path, this.required(path))
  }

  optionalText(path: string): string | null {
    const v = this.get(path)
    if (v === undefined || v === null || v === '') return null
    if (typeof v === 'number' || typeof v === 'bigint') return String(v)
    return this.checkText(path, v)
  }

  checkText(path: string, v: unknown): string {
    if (typeof v !== 'string') this.fail(path, `field "${path}" must be text, got ${describeValue(v)}`)
    if (v.length > this.options.maxFieldChars) {
      this.fail(
        path,
        `field "${path}" holds ${v.length.toLocaleString('en-US')} characters; the largest text Nashlab takes is ${this.options.maxFieldChars.toLocaleString('en-US')} (raise it with --max-field-chars)`,
      )
    }
    return v
  }

  /**
   * A text that may also be a conversational message list (`[{role, content}]`). In CSV and TSV a
   * cell holding a JSON message list counts as one.
   */
  textOrMessages(path: string, loneRole: 'user' | 'assistant'): TextValue {
    let v = this.required(path)
    if (this.options.cellsAreText && typeof v === 'string' && v.startsWith('[{')) {
      try {
        v = JSON.parse(v)
      } catch {
        // Plain text that happens to start with "[{".
      }
    }
    if (Array.isArray(v)) {
      const messages = this.messages(path, v)
      return { text: this.checkText(path, renderMessages(messages, loneRole)), messages }
    }
    return { text: this.checkText(path, v) }
  }

  messages(path: string, list: unknown[]): Message[] {
    if (list.length === 0) this.fail(path, `field "${path}" is an empty message list`)
    return list.map((m, i) => {
      if (typeof m !== 'object' || m === null || Array.isArray(m)) {
        this.fail(`${path}.${i}`, `message ${i + 1} of "${path}" must be an object with role and content, got ${describeValue(m)}`)
      }
      const { role, content } = m as Record<string, unknown>
      if (typeof role !== 'string') this.fail(`${path}.${i}.role`, `message ${i + 1} of "${path}" needs a text "role", got ${describeValue(role)}`)
      return { role, content: this.messageContent(`${path}.${i}.content`, content, i, path) }
    })
  }

  /** Message content: text, or a list of parts whose text parts are joined. */
  private messageContent(field: string, content: unknown, i: number, path: string): string {
    if (typeof content === 'string') return content
    if (Array.isArray(content)) {
      const parts = content.map((part) => (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : null))
      if (parts.every((p) => p !== null)) return parts.join('')
    }
    this.fail(field, `message ${i + 1} of "${path}" needs text "content", got ${describeValue(content)}`)
  }

  /** A TRL-style label: true/false, 1/0, or their text forms. */
  label(path: string): 0 | 1 {
    const v = this.required(path)
    if (v === true || v === 1 || v === 1n) return 1
    if (v === false || v === 0 || v === 0n) return 0
    if (typeof v === 'string') {
      const s = v.trim().toLowerCase()
      if (s === 'true' || s === '1' || s === 'yes') return 1
      if (s === 'false' || s === '0' || s === 'no') return 0
    }
    this.fail(path, `field "${path}" must be true or false, got ${typeof v === 'string' ? `"${v}"` : describeValue(v)}`)
  }

  /** A whole number (numbers, bigints, or digits in text cells). */
  integer(path: string): number {
    const v = this.required(path)
    const n = typeof v === 'bigint' ? Number(v) : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v
    if (typeof n !== 'number' || !Number.isInteger(n)) this.fail(path, `field "${path}" must be a whole number, got ${typeof v === 'string' ? `"${v}"` : describeValue(v)}`)
    return n
  }

  /**
   * An outcome: a, b, tie, both_bad (any case); model_a / model_b / tie (bothbad) as Chatbot Arena
   * writes them; or 0 / 1, the index of the winning response.
   */
  outcome(path: string): Outcome {
    const v = this.required(path)
    const s = typeof v === 'string' ? v.trim().toLowerCase() : typeof v === 'number' || typeof v === 'bigint' ? String(v) : null
    const found = s === null ? undefined : outcomeAliases[s]
    if (!found) this.fail(path, `field "${path}" must be an outcome (a, b, tie or both_bad), got ${typeof v === 'string' ? `"${v}"` : describeValue(v)}`)
    return found
  }

  /** Which response was shown on the left: a or b (empty: not recorded). */
  shownLeft(path: string): 'a' | 'b' | null {
    const v = this.get(path)
    if (v === undefined || v === null || v === '') return null
    const s = typeof v === 'string' ? v.trim().toLowerCase() : null
    if (s === 'a' || s === 'b') return s
    this.fail(path, `field "${path}" must be "a" or "b" (the response shown on the left), got ${typeof v === 'string' ? `"${v}"` : describeValue(v)}`)
  }
}

const outcomeAliases: Record<string, Outcome> = {
  a: 'a',
  b: 'b',
  tie: 'tie',
  both_bad: 'both_bad',
  'both bad': 'both_bad',
  bothbad: 'both_bad',
  model_a: 'a',
  model_b: 'b',
  'tie (bothbad)': 'both_bad',
  '0': 'a',
  '1': 'b',
}
