import { z } from 'zod'
import { method } from './define'
import { datasetName } from './datasets'

/** One pair shown blind: which response (and which model) is on which side is hidden. */
export interface VotePair {
  session: string
  /** Opaque id of this pair within the session. */
  pair: string
  prompt: string
  left: string
  right: string
  /** 1-based position in the queue, and its length (null in random order). */
  position: number
  total: number | null
}

export interface VoteSession {
  session: string
  source: string
  into: string
  annotator: string
  order: 'queue' | 'random'
  /** Pairs in the queue (queue order), or null (random order never runs out). */
  total: number | null
  votes: number
}

export const voteChoice = z.enum(['left', 'right', 'tie', 'both_bad'])
export type VoteChoice = z.infer<typeof voteChoice>

const session = z.string().min(1)

export const voteMethods = {
  'votes.start': method<VoteSession>()(
    z
      .object({
        /** Dataset whose prompts and responses are paired. */
        source: datasetName,
        /** Dataset the votes are stored in (created when missing); defaults to the source. */
        into: datasetName.optional(),
        annotator: z.string().trim().min(1).max(200).default('me'),
        /** 'queue' walks every prompt once in order; 'random' draws pairs forever. */
        order: z.enum(['queue', 'random']).default('queue'),
        seed: z.number().int().min(0).default(1),
      })
      .strict(),
    'Start a blind voting session over the response pairs of a dataset',
  ),
  'votes.next': method<VotePair | null>()(z.object({ session }).strict(), 'The next blind pair (null when the queue is done)'),
  'votes.cast': method<{ comparison: number; votes: number }>()(
    z.object({ session, pair: z.string().min(1), choice: voteChoice }).strict(),
    'Store a vote as a comparison (annotator, source human, side shown left)',
  ),
  'votes.skip': method<{ skipped: string }>()(z.object({ session, pair: z.string().min(1) }).strict(), 'Skip a pair without voting'),
  'votes.undo': method<{ undone: number | null; votes: number }>()(z.object({ session }).strict(), 'Delete the last vote of the session'),
  'votes.export': method<VoteExport>()(
    z
      .object({
        /** Dataset holding the votes. */
        dataset: datasetName,
        /** The JSONL file to write (replaced when it exists); default `<data folder>/exports/<dataset>.votes.jsonl`. */
        path: z.string().min(1, 'name the file to write').optional(),
        /** Only this annotator's votes. */
        annotator: z.string().trim().min(1).optional(),
      })
      .strict(),
    "Write a dataset's human votes as TRL preference rows (prompt, chosen, rejected) in JSONL; ties and both-bad votes are skipped",
  ),
}

/** What `votes.export` wrote. */
export interface VoteExport {
  path: string
  rows: number
  /** Votes with no winner, which TRL's prompt/chosen/rejected rows cannot hold. */
  skipped: { ties: number; bothBad: number }
  bytes: number
}
