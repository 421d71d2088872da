import { z } from 'zod'
import { playerRef } from './compare'
import { datasetName } from './datasets'
import { method } from './define'
import type { JobProgress } from './events'
import { samplingSettings, type SamplingSettings } from './generate'

/**
 * Tournaments: every pair of players (models or checkpoints) judged on the same prompts, giving
 * the matrix P(column ≻ row) with intervals, Bradley–Terry/Elo ratings, the maximal lottery of the
 * empirical matrix (the mixture no player beats) and each player's exploitability.
 */

/** `pref:<model>` (a preference or reward model), `oracle` (the demo's rater population) or `human` (votes so far). */
export const judgeRef = z
  .string()
  .trim()
  .regex(/^(oracle|human|pref:.+)$/, 'a judge is pref:<model>, oracle or human')

export type TournamentStatus = 'queued' | 'running' | 'cancelled' | 'failed' | 'completed'

/** What a tournament reports; `matrix[r][c] = P(players[c] ≻ players[r])`. */
export interface TournamentResult {
  players: string[]
  judge: string
  /** matrix[r][c] = P(players[c] ≻ players[r]); diagonal ½; matrix[r][c] + matrix[c][r] = 1 (½ for a pair never judged). */
  matrix: number[][]
  /** Clopper–Pearson 95% interval of each cell ([0, 1] for a pair never judged). */
  ci_low: number[][]
  ci_high: number[][]
  /** Judged pairs behind each cell (0 on the diagonal). */
  n: number[][]
  /** Bradley–Terry ratings on the Elo scale (1500 + 400·log10 strength) with bootstrap 95% intervals. */
  bt: { elo: number[]; low: number[]; high: number[] }
  /** The maximal lottery of the empirical matrix: the mixture of players no player beats. */
  nash: number[]
  /** For each player: max over opponents of P(opponent ≻ player) − ½ (0 only for an unbeatable player). */
  exploitability: number[]
  /** Triples [a, b, c] of player indices with a ≻ b ≻ c ≻ a (each majority > ½). */
  nonTransitive: number[][]
  /** wins[i][j]: judged pairs player i won against player j (a probability counts as a fractional win). */
  wins: number[][]
}

/** How a finished tournament went: its result and what it cost. */
export interface TournamentOutcome extends TournamentResult {
  /** Pairs the judge scored (both orders count for a judge that is not antisymmetric). */
  judged: number
  /** Responses generated. */
  generated: number
  /** Seconds spent generating and judging. */
  generateSeconds: number
  judgeSeconds: number
  /** Human judge: comparisons left out (both bad, or between responses of one player). */
  skipped?: number
}

export interface TournamentSummary {
  id: number
  name: string
  judge: string
  status: TournamentStatus
  players: string[]
  /** The prompt dataset (null for a human-judged tournament over every vote). */
  prompts: string | null
  /** Judged pairs per cell asked for (a human-judged cell has as many as there are votes). */
  n: number
  /** The job running it while it runs (null once finished, and for the human judge). */
  job: string | null
  /** The job's latest progress while it runs. */
  progress: JobProgress | null
  error: string | null
  createdAt: string
  finishedAt: string | null
}

export interface TournamentDetail extends TournamentSummary {
  config: TournamentConfig
  result: TournamentOutcome | null
}

export interface TournamentConfig {
  players: string[]
  judge: string
  prompts: string | null
  n: number
  seed: number
  bootstrap: number
  settings: SamplingSettings
  /** The engine process running it (a tournament whose process is gone is marked failed). */
  pid?: number
}

const tournament = z.number().int().positive()

export const tournamentMethods = {
  'tournaments.start': method<TournamentSummary>()(
    z
      .object({
        name: z.string().trim().min(1).max(200).optional(),
        players: z.array(playerRef).min(2, 'a tournament needs at least two players').max(16, 'a tournament has at most 16 players'),
        judge: judgeRef,
        /** A dataset whose prompts the players answer (cycled to n); optional for the human judge, where it filters the votes. */
        prompts: datasetName.optional(),
        /** Judged pairs per cell. */
        n: z.number().int().min(1).max(100_000).default(50),
        settings: samplingSettings.default(samplingSettings.parse({})),
        seed: z.number().int().min(0).default(1),
        /** Bootstrap resamples for the rating intervals. */
        bootstrap: z.number().int().min(10).max(5000).default(200),
      })
      .strict(),
    'Start a round-robin tournament as a job: players answer the prompts, the judge scores every pair, results are stored',
  ),
  'tournaments.list': method<TournamentSummary[]>()(z.object({}).strict(), 'Tournaments, newest first'),
  'tournaments.show': method<TournamentDetail>()(z.object({ tournament }).strict(), 'One tournament with its matrix, intervals, ratings and maximal lottery'),
  'tournaments.cancel': method<TournamentSummary>()(z.object({ tournament }).strict(), 'Cancel a running tournament'),
  'tournaments.delete': method<{ deleted: number }>()(z.object({ tournament }).strict(), 'Delete a finished tournament and its cells'),
}
