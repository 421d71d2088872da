import type { DataMatrix, TournamentChoice } from '../api/game'
import { NashlabError } from '../api/errors'
import type { Db } from '../store/db'
import { PairTally } from './empirical'

/** Every tournament with its player count, newest first. */
export function tournamentChoices(db: Db): TournamentChoice[] {
  return db
    .prepare(
      `SELECT t.id, t.name, t.status, (SELECT count(*) FROM tournament_players p WHERE p.tournament_id = t.id) AS players
         FROM tournaments t ORDER BY t.id DESC`,
    )
    .all() as TournamentChoice[]
}

/**
 * A tournament's preference matrix. A cell (row r, column c, wins, n) records that the column
 * player beat the row player `wins` times in n judged pairs, so it adds wins/n evidence to
 * P(c ≻ r); when both (r, c) and (c, r) were played their judgements are pooled. Players are in
 * position order; pairs never played get ½ and are listed in `missing`.
 */
export function tournamentMatrix(db: Db, tournamentId: number): DataMatrix {
  const tournament = db.prepare('SELECT id, name FROM tournaments WHERE id = ?').get(tournamentId) as { id: number; name: string } | undefined
  if (!tournament) throw new NashlabError('not_found', `There is no tournament with id ${tournamentId}.`, { tournament: tournamentId })
  const players = db
    .prepare('SELECT position, label FROM tournament_players WHERE tournament_id = ? ORDER BY position')
    .all(tournamentId) as { position: number; label: string }[]
  if (players.length < 2) {
    throw new NashlabError('invalid_input', `Tournament "${tournament.name}" has ${players.length} player; a game needs at least two.`, {
      tournament: tournamentId,
    })
  }
  const index = new Map(players.map((p, i) => [p.position, i]))
  const cells = db
    .prepare('SELECT row_player AS row, col_player AS col, wins, n FROM tournament_cells WHERE tournament_id = ? ORDER BY row_player, col_player')
    .all(tournamentId) as { row: number; col: number; wins: number; n: number }[]
  const tally = new PairTally(players.length)
  let judgements = 0
  let ignored = 0
  for (const cell of cells) {
    const r = index.get(cell.row)
    const c = index.get(cell.col)
    const where = `Tournament "${tournament.name}" has a cell (row player ${cell.row}, column player ${cell.col})`
    if (r === undefined || c === undefined) {
      throw new NashlabError('not_found', `${where} naming a player position that is not among its players.`, { tournament: tournamentId, cell: [cell.row, cell.col] })
    }
    if (!(cell.n >= 0) || !(cell.wins >= 0) || cell.wins > cell.n) {
      throw new NashlabError('invalid_input', `${where} with ${cell.wins} wins out of ${cell.n}; wins must lie between 0 and n.`, {
        tournament: tournamentId,
        cell: [cell.row, cell.col],
      })
    }
    if (cell.n === 0) continue
    if (r === c) {
      ignored += cell.n
      continue
    }
    tally.add(c, r, cell.wins, cell.n)
    judgements += cell.n
  }
  return {
    source: 'tournament',
    title: tournament.name,
    actions: players.map((p) => p.label),
    ids: players.map((p) => p.position),
    ...tally.matrix(),
    judgements,
    ignored,
  }
}
