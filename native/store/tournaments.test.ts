import { expect, test } from 'vitest'
import { samplingSettings } from '../api/generate'
import { openDatabase } from './db'
import { TournamentRepository } from './tournaments'

const config = (pid?: number) => ({ players: ['model:1', 'model:2'], judge: 'oracle', prompts: 'p', n: 4, seed: 1, bootstrap: 10, settings: samplingSettings.parse({}), ...(pid ? { pid } : {}) })
const players = [
  { label: 'a', modelId: null, checkpointId: null },
  { label: 'b', modelId: null, checkpointId: null },
]

test('cells are stored once per pair with the column player’s wins; unfinished tournaments of a gone engine fail', () => {
  const db = openDatabase(':memory:')
  const repo = new TournamentRepository(db)
  const done = repo.create({ name: 'done', config: config(), players })
  const wins = [
    [0, 1.5],
    [2.5, 0],
  ]
  repo.complete(done, {
    players: ['a', 'b'],
    judge: 'oracle',
    matrix: [[0.5, 0.625], [0.375, 0.5]],
    ci_low: [[0.5, 0], [0, 0.5]],
    ci_high: [[0.5, 1], [1, 0.5]],
    n: [[0, 4], [4, 0]],
    bt: { elo: [1450, 1550], low: [1300, 1400], high: [1600, 1700] },
    nash: [0, 1],
    exploitability: [0.125, 0],
    nonTransitive: [],
    wins,
    judged: 4,
    generated: 8,
    generateSeconds: 0.1,
    judgeSeconds: 0.01,
  })
  expect(db.prepare('SELECT row_player, col_player, wins, n FROM tournament_cells').all()).toEqual([{ row_player: 0, col_player: 1, wins: 2.5, n: 4 }])
  expect(repo.get(done)).toMatchObject({ status: 'completed', players: ['a', 'b'], result: { judged: 4 } })

  const orphan = repo.create({ name: 'orphan', config: config(4242), players })
  const elsewhere = repo.create({ name: 'elsewhere', config: config(7), players })
  repo.setStatus(orphan, 'running')
  repo.setStatus(elsewhere, 'running')
  expect(repo.abandon((pid) => pid === 7)).toBe(1)
  expect(repo.get(orphan)).toMatchObject({ status: 'failed', error: 'The engine stopped before the tournament finished.' })
  expect(repo.get(orphan).finishedAt).not.toBeNull()
  expect(repo.get(elsewhere).status).toBe('running')
  expect(repo.list().map((t) => t.name)).toEqual(['elsewhere', 'orphan', 'done'])
  db.close()
})
