import type { Db } from '../store/db'

export interface HumanResults {
  /** wins[i][j]: votes for player i's response over player j's (a tie counts ½ to each). */
  wins: number[][]
  /** games[i][j]: votes between responses of players i and j (symmetric). */
  games: number[][]
  /** Votes counted (a vote between responses that several players generated counts once per pair of them). */
  judged: number
  /** Votes left out: both bad, or between two responses of the same player. */
  skipped: number
}

/**
 * The human judge: the votes collected so far (comparisons with source 'human') between responses
 * whose origins are the players (response_origins). A vote for a counts 1 to a's player, a tie ½
 * to each; "both bad" says nothing about which is better and is left out. With `promptDataset`,
 * only votes on prompts whose text is among that dataset's prompts count.
 */
export function humanResults(db: Db, players: readonly string[], promptDataset: number | null): HumanResults {
  const k = players.length
  const index = new Map(players.map((p, i) => [p, i]))
  const wins = players.map(() => new Array<number>(k).fill(0))
  const games = players.map(() => new Array<number>(k).fill(0))
  const rows = db
    .prepare(
      `SELECT c.id, c.outcome, oa.player AS a, ob.player AS b
         FROM comparisons c
         JOIN response_origins oa ON oa.response_id = c.response_a
         JOIN response_origins ob ON ob.response_id = c.response_b
         JOIN prompts p ON p.id = c.prompt_id
        WHERE c.source = 'human'
          AND (? IS NULL OR p.text IN (SELECT text FROM prompts WHERE dataset_id = ?))
        ORDER BY c.id`,
    )
    .all(promptDataset, promptDataset) as { id: number; outcome: string; a: string; b: string }[]
  let judged = 0
  const counted = new Set<number>()
  const relevant = new Set<number>()
  for (const row of rows) {
    const i = index.get(row.a)
    const j = index.get(row.b)
    if (i === undefined || j === undefined) continue
    relevant.add(row.id)
    if (i === j || row.outcome === 'both_bad') continue
    const forA = row.outcome === 'a' ? 1 : row.outcome === 'b' ? 0 : 0.5
    wins[i][j] += forA
    wins[j][i] += 1 - forA
    games[i][j]++
    games[j][i]++
    judged++
    counted.add(row.id)
  }
  return { wins, games, judged, skipped: [...relevant].filter((id) => !counted.has(id)).length }
}
