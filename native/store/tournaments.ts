import type { TournamentConfig, TournamentOutcome, TournamentStatus } from '../api/tournaments'
import { NashlabError } from '../api/errors'
import type { Db } from './db'

export interface TournamentRecord {
  id: number
  name: string
  judge: string
  status: TournamentStatus
  config: TournamentConfig
  players: string[]
  result: TournamentOutcome | null
  error: string | null
  createdAt: string
  finishedAt: string | null
}

interface RawRow {
  id: number
  name: string
  judge: string
  status: TournamentStatus
  config: string
  result: string | null
  error: string | null
  created_at: string
  finished_at: string | null
}

/** Tournaments, their players (in position order) and cells. */
export class TournamentRepository {
  constructor(private readonly db: Db) {}

  create(t: { name: string; config: TournamentConfig; players: { label: string; modelId: number | null; checkpointId: number | null }[] }): number {
    return this.db.transaction(() => {
      const info = this.db.prepare("INSERT INTO tournaments (name, judge, config, status) VALUES (?, ?, ?, 'queued')").run(t.name, t.config.judge, JSON.stringify(t.config))
      const id = Number(info.lastInsertRowid)
      const insert = this.db.prepare('INSERT INTO tournament_players (tournament_id, position, label, model_id, checkpoint_id) VALUES (?, ?, ?, ?, ?)')
      t.players.forEach((p, position) => insert.run(id, position, p.label, p.modelId, p.checkpointId))
      return id
    })()
  }

  setStatus(id: number, status: TournamentStatus, error: string | null = null): void {
    const finished = status === 'completed' || status === 'failed' || status === 'cancelled'
    this.db
      .prepare(`UPDATE tournaments SET status = ?, error = ?, finished_at = ${finished ? "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')" : 'NULL'} WHERE id = ?`)
      .run(status, error, id)
  }

  /**
   * Store a finished tournament: one cell per pair of players (row r < column c, `wins` = the
   * column player's wins over the row player, as game.fromTournament reads them) and the result.
   */
  complete(id: number, outcome: TournamentOutcome): void {
    this.db.transaction(() => {
      const insert = this.db.prepare('INSERT OR REPLACE INTO tournament_cells (tournament_id, row_player, col_player, wins, n) VALUES (?, ?, ?, ?, ?)')
      const k = outcome.players.length
      for (let r = 0; r < k; r++) for (let c = r + 1; c < k; c++) insert.run(id, r, c, outcome.wins[c][r], outcome.n[r][c])
      this.db.prepare('UPDATE tournaments SET result = ? WHERE id = ?').run(JSON.stringify(outcome), id)
      this.setStatus(id, 'completed')
    })()
  }

  list(): TournamentRecord[] {
    return (this.db.prepare('SELECT * FROM tournaments ORDER BY id DESC').all() as RawRow[]).map((r) => this.record(r))
  }

  get(id: number): TournamentRecord {
    const row = this.db.prepare('SELECT * FROM tournaments WHERE id = ?').get(id) as RawRow | undefined
    if (!row) throw new NashlabError('not_found', `There is no tournament ${id}.`, { tournament: id })
    return this.record(row)
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM tournaments WHERE id = ?').run(id)
  }

  /**
   * Tournaments left queued or running by an engine process that is gone (their jobs died with it)
   * become failed. A tournament whose engine still runs (a `nashlab serve` beside this CLI) is left
   * alone. `alive(pid)` says whether a process exists.
   */
  abandon(alive: (pid: number) => boolean): number {
    const open = this.db.prepare("SELECT id, json_extract(config, '$.pid') AS pid FROM tournaments WHERE status IN ('queued', 'running')").all() as { id: number; pid: number | null }[]
    let changed = 0
    for (const t of open) {
      if (t.pid !== null && alive(t.pid)) continue
      this.setStatus(t.id, 'failed', 'The engine stopped before the tournament finished.')
      changed++
    }
    return changed
  }

  private record(r: RawRow): TournamentRecord {
    const players = this.db.prepare('SELECT label FROM tournament_players WHERE tournament_id = ? ORDER BY position').pluck().all(r.id) as string[]
    return {
      id: r.id,
      name: r.name,
      judge: r.judge,
      status: r.status,
      config: JSON.parse(r.config) as TournamentConfig,
      players,
      result: r.result === null ? null : (JSON.parse(r.result) as TournamentOutcome),
      error: r.error,
      createdAt: r.created_at,
      finishedAt: r.finished_at,
    }
  }
}
