import type { Outcome } from '../api/datasets'
import type { Message } from '../data/formats/messages'
import type { Db } from './db'

/**
 * What the trainers read from a dataset: prompts with the responses to imitate (SFT), judged pairs
 * (preference and reward models), and all its text (tokenizer training).
 */
export interface TextPair {
  prompt: string
  completion: string
  /** The prompt's message list, for a conversational row (a chat template renders it turn by turn). */
  promptMessages?: Message[]
}

/** Rows with the prompt's stored message list (JSON or null) as `promptMessages`. */
function withMessages(rows: (Omit<TextPair, 'promptMessages'> & { promptMessages: string | null })[]): TextPair[] {
  return rows.map(({ promptMessages, ...row }) => (promptMessages ? { ...row, promptMessages: JSON.parse(promptMessages) as Message[] } : row))
}

export interface JudgedPair {
  prompt: string
  a: string
  b: string
  outcome: Outcome
}

/** SFT examples: the preferred response of each decisive comparison, both responses of a tie; each (prompt, response) once. */
export function preferredExamples(db: Db, datasetId: number): TextPair[] {
  const rows = db
    .prepare(
      `SELECT DISTINCT p.text AS prompt, r.text AS completion, p.messages AS promptMessages
         FROM comparisons c
         JOIN prompts p ON p.id = c.prompt_id
         JOIN responses r ON r.id = CASE WHEN c.outcome = 'b' THEN c.response_b ELSE c.response_a END
        WHERE c.dataset_id = ? AND c.outcome IN ('a', 'b', 'tie')
       UNION
       SELECT p.text, r.text, p.messages
         FROM comparisons c
         JOIN prompts p ON p.id = c.prompt_id
         JOIN responses r ON r.id = c.response_b
        WHERE c.dataset_id = ? AND c.outcome = 'tie'
        ORDER BY 1, 2`,
    )
    .all(datasetId, datasetId) as (TextPair & { promptMessages: string | null })[]
  return withMessages(rows)
}

/** SFT examples: every response of the dataset with its prompt. */
export function responseExamples(db: Db, datasetId: number): TextPair[] {
  const rows = db
    .prepare('SELECT p.text AS prompt, r.text AS completion, p.messages AS promptMessages FROM responses r JOIN prompts p ON p.id = r.prompt_id WHERE p.dataset_id = ? ORDER BY r.id')
    .all(datasetId) as (TextPair & { promptMessages: string | null })[]
  return withMessages(rows)
}

/** Every judged comparison, in insertion order. */
export function judgedPairs(db: Db, datasetId: number): JudgedPair[] {
  return db
    .prepare(
      `SELECT p.text AS prompt, ra.text AS a, rb.text AS b, c.outcome
         FROM comparisons c
         JOIN prompts p ON p.id = c.prompt_id
         JOIN responses ra ON ra.id = c.response_a
         JOIN responses rb ON rb.id = c.response_b
        WHERE c.dataset_id = ?
        ORDER BY c.id`,
    )
    .all(datasetId) as JudgedPair[]
}

/** The dataset's texts (prompts, then responses), for training a tokenizer. */
export function* datasetTexts(db: Db, datasetId: number): Generator<string> {
  for (const row of db.prepare('SELECT text FROM prompts WHERE dataset_id = ? ORDER BY id').iterate(datasetId) as Iterable<{ text: string }>) yield row.text
  for (const row of db.prepare('SELECT r.text FROM responses r JOIN prompts p ON p.id = r.prompt_id WHERE p.dataset_id = ? ORDER BY r.id').iterate(datasetId) as Iterable<{ text: string }>) yield row.text
}
