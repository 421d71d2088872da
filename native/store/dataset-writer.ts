import type { Outcome } from '../api/contract'
import type { Db } from './db'

/** A text to store: its readable form and, for conversational rows, its message list. */
export interface StoredText {
  text: string
  messages?: unknown[]
}

export interface WriteCounts {
  prompts: number
  responses: number
  comparisons: number
  feedback: number
  duplicates: number
  identicalPairs: number
}

export interface NewComparison {
  prompt: string | StoredText
  a: string | StoredText
  b: string | StoredText
  outcome: Outcome
  annotator?: string | null
  source?: string
  /** Source of each response when they differ (e.g. the policies of summarize-from-feedback). */
  sourceA?: string
  sourceB?: string
  shownLeft?: 'a' | 'b' | null
}

export interface NewFeedback {
  prompt: string | StoredText
  completion: string | StoredText
  label: 0 | 1
  annotator?: string | null
  source?: string
}

/** What happened to one written judgement. */
export type WriteOutcome = 'added' | 'duplicate' | 'skipped'

/**
 * Cached prompt texts are dropped once they hold this many characters: at most 8 MiB of text
 * (two bytes a character at worst) and its map entries, about 25,000 prompts of 150 characters.
 * Files repeat a prompt in neighbouring rows (its pairs, its completions), which this window
 * catches; a prompt met again further on costs one probe of the prompts' text index instead.
 * (At 32 Mi characters the cache grew with the file: the 400,000-row bench import's live
 * JavaScript memory went from 24 MiB at a quarter of the rows to 40 MiB at all of them; at 4 Mi
 * it stays at 16–20 MiB.)
 */
const promptCacheChars = 4 << 20

const asStored = (v: string | StoredText): StoredText => (typeof v === 'string' ? { text: v } : v)
/**
 * The message list to keep, as JSON: none when the list is one message of the role the text would
 * be exported as anyway (its content being the text), which is most rows, at no loss.
 */
function messagesJson(v: StoredText, loneRole: 'user' | 'assistant'): string | null {
  const m = v.messages as { role?: unknown; content?: unknown }[] | undefined
  if (!m) return null
  if (m.length === 1 && m[0].role === loneRole && m[0].content === v.text) return null
  return JSON.stringify(m)
}

/**
 * Writes imported (or voted) rows into one dataset: prompts and responses are stored once and
 * reused by text; judgements are appended. A judgement that repeats one already stored (same
 * prompt, same two responses in either order, same annotator) is a duplicate: counted, and
 * written or left out as the caller chose. The caller owns the transaction.
 *
 * Speed: each new text costs one `INSERT … ON CONFLICT DO NOTHING` whose id is the last insert
 * rowid (a third faster through better-sqlite3 than `RETURNING id`); a second statement runs only
 * when the text exists. The duplicate check runs only when both responses already existed, since
 * a judgement with a new response cannot repeat an old one.
 */
export class DatasetWriter {
  private readonly insertPrompt
  private readonly selectPrompt
  private readonly insertResponse
  private readonly selectResponse
  private readonly insertComparison
  private readonly existsComparison
  private readonly insertFeedback
  private readonly existsFeedback
  private readonly promptIds = new Map<string, number>()
  private cachedChars = 0
  /** Id of the comparison the last `comparison()` call inserted (unchanged when it left one out). */
  lastComparisonId = 0
  readonly counts: WriteCounts = { prompts: 0, responses: 0, comparisons: 0, feedback: 0, duplicates: 0, identicalPairs: 0 }

  constructor(
    db: Db,
    readonly datasetId: number,
    private readonly onDuplicate: 'keep' | 'skip' = 'keep',
  ) {
    // One timestamp for everything a writer stores: the default's strftime() per row costs an
    // import a few per cent.
    const now = new Date().toISOString()
    this.insertPrompt = db.prepare(`INSERT INTO prompts (dataset_id, text, messages, created_at) VALUES (?, ?, ?, '${now}') ON CONFLICT DO NOTHING`)
    this.selectPrompt = db.prepare('SELECT id FROM prompts WHERE dataset_id = ? AND text = ?').pluck()
    this.insertResponse = db.prepare(`INSERT INTO responses (prompt_id, text, source, messages, created_at) VALUES (?, ?, ?, ?, '${now}') ON CONFLICT DO NOTHING`)
    this.selectResponse = db.prepare('SELECT id FROM responses WHERE prompt_id = ? AND text = ?').pluck()
    this.insertComparison = db.prepare(
      `INSERT INTO comparisons (dataset_id, prompt_id, response_a, response_b, outcome, annotator, source, shown_left, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '${now}')`,
    )
    this.existsComparison = db
      .prepare(
        `SELECT 1 FROM comparisons
          WHERE prompt_id = ? AND ((response_a = ? AND response_b = ?) OR (response_a = ? AND response_b = ?)) AND annotator IS ?
          LIMIT 1`,
      )
      .pluck()
    this.insertFeedback = db.prepare(`INSERT INTO feedback (dataset_id, prompt_id, response_id, label, annotator, source, created_at) VALUES (?, ?, ?, ?, ?, ?, '${now}')`)
    this.existsFeedback = db.prepare('SELECT 1 FROM feedback WHERE response_id = ? AND label = ? AND annotator IS ? LIMIT 1').pluck()
  }

  /** The prompt's id, storing the prompt when new. */
  prompt(value: string | StoredText): number {
    return this.internPrompt(value).id
  }

  /** The response's id, storing the response when new. */
  response(promptId: number, value: string | StoredText, source = 'import'): number {
    return this.internResponse(promptId, value, source).id
  }

  /** The prompt's id, storing it when new; `fresh` tells whether it was just stored. */
  private internPrompt(value: string | StoredText): { id: number; fresh: boolean } {
    const v = asStored(value)
    const cached = this.promptIds.get(v.text)
    if (cached !== undefined) return { id: cached, fresh: false }
    const inserted = this.insertPrompt.run(this.datasetId, v.text, messagesJson(v, 'user'))
    const fresh = inserted.changes > 0
    let id: number
    if (fresh) {
      this.counts.prompts++
      id = Number(inserted.lastInsertRowid)
    } else id = this.selectPrompt.get(this.datasetId, v.text) as number
    if (this.cachedChars + v.text.length > promptCacheChars) {
      this.promptIds.clear()
      this.cachedChars = 0
    }
    this.promptIds.set(v.text, id)
    this.cachedChars += v.text.length
    return { id, fresh }
  }

  private internResponse(promptId: number, value: string | StoredText, source: string): { id: number; fresh: boolean } {
    const v = asStored(value)
    const inserted = this.insertResponse.run(promptId, v.text, source, messagesJson(v, 'assistant'))
    if (inserted.changes > 0) {
      this.counts.responses++
      return { id: Number(inserted.lastInsertRowid), fresh: true }
    }
    return { id: this.selectResponse.get(promptId, v.text) as number, fresh: false }
  }

  comparison(c: NewComparison): WriteOutcome {
    const prompt = this.internPrompt(c.prompt)
    const source = c.source ?? 'import'
    const a = this.internResponse(prompt.id, c.a, c.sourceA ?? source)
    const b = this.internResponse(prompt.id, c.b, c.sourceB ?? source)
    const annotator = c.annotator ?? null
    if (a.id === b.id) this.counts.identicalPairs++
    let result: WriteOutcome = 'added'
    if (!a.fresh && !b.fresh && this.existsComparison.get(prompt.id, a.id, b.id, b.id, a.id, annotator)) {
      this.counts.duplicates++
      if (this.onDuplicate === 'skip') return 'skipped'
      result = 'duplicate'
    }
    this.lastComparisonId = Number(this.insertComparison.run(this.datasetId, prompt.id, a.id, b.id, c.outcome, annotator, source, c.shownLeft ?? null).lastInsertRowid)
    this.counts.comparisons++
    return result
  }

  feedback(f: NewFeedback): WriteOutcome {
    const prompt = this.internPrompt(f.prompt)
    const source = f.source ?? 'import'
    const response = this.internResponse(prompt.id, f.completion, source)
    const annotator = f.annotator ?? null
    let result: WriteOutcome = 'added'
    if (!response.fresh && this.existsFeedback.get(response.id, f.label, annotator)) {
      this.counts.duplicates++
      if (this.onDuplicate === 'skip') return 'skipped'
      result = 'duplicate'
    }
    this.insertFeedback.run(this.datasetId, prompt.id, response.id, f.label, annotator, source)
    this.counts.feedback++
    return result
  }

  /** A prompt on its own (prompt-only datasets); one already stored is a duplicate. */
  promptOnly(value: string | StoredText): WriteOutcome {
    if (this.internPrompt(value).fresh) return 'added'
    this.counts.duplicates++
    return this.onDuplicate === 'skip' ? 'skipped' : 'duplicate'
  }
}

/** The writer under its first name, for callers that add comparisons one by one (votes). */
export class ComparisonWriter extends DatasetWriter {
  /** Store one comparison (duplicates included) and return its id. */
  add(c: NewComparison): number {
    this.comparison(c)
    return this.lastComparisonId
  }
}
