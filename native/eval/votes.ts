import crypto from 'node:crypto'
import type { VoteChoice, VotePair, VoteSession } from '../api/votes'
import { NashlabError } from '../api/errors'
import { ComparisonWriter, DatasetRepository } from '../store/datasets'
import type { Db } from '../store/db'
import { Rng } from '../runtime/rng'

interface Candidate {
  prompt: string
  a: string
  b: string
}

interface Session {
  info: VoteSession
  queue: Candidate[]
  cursor: number
  random: () => number
  /** Pairs handed out and not yet voted on or skipped: which stored response is on the left. */
  open: Map<string, { candidate: Candidate; leftIsA: boolean }>
  /** Comparison ids of this session's votes, newest last (for undo). */
  cast: number[]
}

const outcomeOf = (choice: VoteChoice, leftIsA: boolean) =>
  choice === 'left' ? (leftIsA ? 'a' : 'b') : choice === 'right' ? (leftIsA ? 'b' : 'a') : choice

/**
 * Blind voting. Pairs come from the responses of each prompt of a source dataset; sides are
 * randomised per pair and recorded (`shown_left`), and each vote is stored at once as a
 * comparison with source 'human', so preference-model training can use it immediately.
 */
export class VoteBooth {
  private readonly sessions = new Map<string, Session>()

  constructor(private readonly db: Db) {}

  start(input: { source: string; into?: string; annotator: string; order: 'queue' | 'random'; seed: number }): VoteSession {
    const repo = new DatasetRepository(this.db)
    const source = repo.get(input.source)
    const rng = Rng.fromSeed(input.seed)
    const random = () => rng.float()
    const queue = this.candidates(source.id, random)
    if (queue.length === 0) {
      throw new NashlabError('invalid_input', `The dataset "${input.source}" has no prompt with two different responses to compare.`, { dataset: input.source })
    }
    const id = crypto.randomUUID()
    const info: VoteSession = {
      session: id,
      source: input.source,
      into: input.into ?? input.source,
      annotator: input.annotator,
      order: input.order,
      total: input.order === 'queue' ? queue.length : null,
      votes: 0,
    }
    this.sessions.set(id, { info, queue, cursor: 0, random, open: new Map(), cast: [] })
    return info
  }

  /**
   * A session over given pairs instead of a dataset's: the responses of one side-by-side
   * comparison, already stored in `into` with their origins (so which model made which response is
   * known to the data, never shown). Every pair of distinct texts once, in random order.
   */
  startPairs(input: { prompt: string; responses: string[]; into: string; annotator: string; seed: number }): VoteSession {
    const rng = Rng.fromSeed(input.seed)
    const random = () => rng.float()
    const texts = [...new Set(input.responses)]
    const queue: Candidate[] = []
    for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) queue.push({ prompt: input.prompt, a: texts[i], b: texts[j] })
    if (queue.length === 0) throw new NashlabError('invalid_input', 'The responses are all the same text; there is no pair to vote on.')
    for (let i = queue.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[queue[i], queue[j]] = [queue[j], queue[i]]
    }
    const id = crypto.randomUUID()
    const info: VoteSession = { session: id, source: input.into, into: input.into, annotator: input.annotator, order: 'queue', total: queue.length, votes: 0 }
    this.sessions.set(id, { info, queue, cursor: 0, random, open: new Map(), cast: [] })
    return info
  }

  next(sessionId: string): VotePair | null {
    const s = this.session(sessionId)
    let candidate: Candidate
    if (s.info.order === 'queue') {
      if (s.cursor >= s.queue.length) return null
      candidate = s.queue[s.cursor++]
    } else {
      candidate = s.queue[Math.floor(s.random() * s.queue.length)]
      s.cursor++
    }
    const leftIsA = s.random() < 0.5
    const pair = crypto.randomUUID()
    s.open.set(pair, { candidate, leftIsA })
    return {
      session: sessionId,
      pair,
      prompt: candidate.prompt,
      left: leftIsA ? candidate.a : candidate.b,
      right: leftIsA ? candidate.b : candidate.a,
      position: s.cursor,
      total: s.info.total,
    }
  }

  cast(sessionId: string, pairId: string, choice: VoteChoice): { comparison: number; votes: number } {
    const s = this.session(sessionId)
    const open = s.open.get(pairId)
    if (!open) throw new NashlabError('not_found', 'That pair was already voted on, skipped, or belongs to another session.', { pair: pairId })
    const repo = new DatasetRepository(this.db)
    const id = this.db.transaction(() =>
      new ComparisonWriter(this.db, repo.ensure(s.info.into)).add({
        prompt: open.candidate.prompt,
        a: open.candidate.a,
        b: open.candidate.b,
        outcome: outcomeOf(choice, open.leftIsA),
        annotator: s.info.annotator,
        source: 'human',
        shownLeft: open.leftIsA ? 'a' : 'b',
      }),
    )()
    s.open.delete(pairId)
    s.cast.push(id)
    s.info.votes = s.cast.length
    return { comparison: id, votes: s.info.votes }
  }

  skip(sessionId: string, pairId: string): { skipped: string } {
    const s = this.session(sessionId)
    if (!s.open.delete(pairId)) throw new NashlabError('not_found', 'That pair is not open in this session.', { pair: pairId })
    return { skipped: pairId }
  }

  undo(sessionId: string): { undone: number | null; votes: number } {
    const s = this.session(sessionId)
    const last = s.cast.pop()
    if (last !== undefined) this.db.prepare('DELETE FROM comparisons WHERE id = ?').run(last)
    s.info.votes = s.cast.length
    return { undone: last ?? null, votes: s.info.votes }
  }

  info(sessionId: string): VoteSession {
    return this.session(sessionId).info
  }

  private session(id: string): Session {
    const s = this.sessions.get(id)
    if (!s) throw new NashlabError('not_found', 'There is no such voting session (it ends when the engine restarts).', { session: id })
    return s
  }

  /** One pair per prompt with at least two distinct responses, prompts in dataset order. */
  private candidates(datasetId: number, random: () => number): Candidate[] {
    const rows = this.db
      .prepare(
        `SELECT p.text AS prompt, r.text AS response
           FROM prompts p JOIN responses r ON r.prompt_id = p.id
          WHERE p.dataset_id = ?
          ORDER BY p.id, r.id`,
      )
      .all(datasetId) as { prompt: string; response: string }[]
    const byPrompt = new Map<string, string[]>()
    for (const row of rows) {
      const list = byPrompt.get(row.prompt) ?? []
      list.push(row.response)
      byPrompt.set(row.prompt, list)
    }
    const out: Candidate[] = []
    for (const [prompt, responses] of byPrompt) {
      if (responses.length < 2) continue
      const i = Math.floor(random() * responses.length)
      let j = Math.floor(random() * (responses.length - 1))
      if (j >= i) j++
      out.push({ prompt, a: responses[i], b: responses[j] })
    }
    return out
  }
}
