import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { TournamentSummary } from '../api/tournaments'
import { Engine } from '../engine/engine'
import { createTinyCheckpoint, createTinyPolicy, createTinyPreference, restaurantPrompts } from './fixtures/tiny-models'

let dir: string
let engine: Engine
let checkpoint: number
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-tournament-'))
  engine = new Engine({ database: path.join(dir, 'nashlab.db'), mode: 'cli' })
  const dinner = await restaurantPrompts(engine, dir)
  const a = await createTinyPolicy(engine, 'tiny-a', 1, dinner)
  await createTinyPolicy(engine, 'tiny-b', 2, dinner)
  createTinyPreference(engine.db, engine.dataDir, 'judge', 3)
  checkpoint = createTinyCheckpoint(engine.db, engine.dataDir, a, 10, 5)
})
afterAll(async () => {
  await engine.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** Resolves with the tournament's summary once it has finished. */
function finished(id: number): Promise<TournamentSummary> {
  return new Promise((resolve) => {
    const off = engine.events.on('tournaments.changed', (s) => {
      if (s.id === id && ['completed', 'failed', 'cancelled'].includes(s.status)) {
        off()
        resolve(s)
      }
    })
  })
}

test('a preference-model tournament runs as a job with progress and stores cells the game lab reads back', async () => {
  const progress: number[] = []
  const off = engine.events.on('jobs.progress', (p) => progress.push(p.done))
  const started = await engine.call('tournaments.start', {
    players: ['tiny-a', 'tiny-b', `checkpoint:${checkpoint}`],
    judge: 'pref:judge',
    prompts: 'dinner',
    n: 24,
    settings: { maxTokens: 6 },
    bootstrap: 50,
  })
  expect(started).toMatchObject({ status: 'queued', players: ['tiny-a', 'tiny-b', 'tiny-a @ step 10'], judge: 'pref:3', prompts: 'dinner', n: 24 })
  expect(started.job).not.toBeNull()
  const done = await finished(started.id)
  off()
  expect(done).toMatchObject({ status: 'completed', job: null, error: null })
  // 3 players × 24 responses + 3 pairs × 24 judgements.
  expect(progress.at(-1)).toBe(144)

  const { result } = await engine.call('tournaments.show', { tournament: started.id })
  const r = result!
  expect(r.judge).toBe('pref:judge')
  expect(r).toMatchObject({ judged: 72, generated: 72 })
  for (let i = 0; i < 3; i++) {
    expect(r.matrix[i][i]).toBe(0.5)
    for (let j = 0; j < 3; j++) {
      if (i === j) continue
      expect(r.matrix[i][j] + r.matrix[j][i]).toBeCloseTo(1, 12)
      expect(r.n[i][j]).toBe(24)
      expect(r.ci_low[i][j]).toBeLessThanOrEqual(r.matrix[i][j])
      expect(r.ci_high[i][j]).toBeGreaterThanOrEqual(r.matrix[i][j])
      // A random preference model is unsure: no judged pair is certain.
      expect(r.matrix[i][j]).toBeGreaterThan(0)
      expect(r.matrix[i][j]).toBeLessThan(1)
    }
  }
  expect(r.nash.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9)
  r.bt.elo.forEach((e, i) => {
    expect(r.bt.low[i]).toBeLessThanOrEqual(e + 1e-9)
    expect(r.bt.high[i]).toBeGreaterThanOrEqual(e - 1e-9)
  })
  // The stored cells are the same matrix (the game lab's P is by rows: P[i][j] = P(i ≻ j)).
  const game = await engine.call('game.fromTournament', { tournament: started.id })
  expect(game.actions).toEqual(r.players)
  game.P.forEach((row, i) => row.forEach((p, j) => expect(p).toBeCloseTo(r.matrix[j][i], 9)))
  expect((await engine.call('tournaments.list', {}))[0].id).toBe(started.id)
})

test('the oracle judges the players’ real responses, each pair a win, a loss or a tie', async () => {
  const started = await engine.call('tournaments.start', { players: ['tiny-a', 'tiny-b'], judge: 'oracle', prompts: 'dinner', n: 10, settings: { maxTokens: 4 }, bootstrap: 20 })
  expect(await finished(started.id)).toMatchObject({ status: 'completed' })
  const { result } = await engine.call('tournaments.show', { tournament: started.id })
  const r = result!
  expect(r.judge).toBe('oracle')
  expect(r.n[0][1]).toBe(10)
  expect(r.matrix[0][1] + r.matrix[1][0]).toBeCloseTo(1, 12)
  // One rater's judgement is 1, 0 or ½: ten of them sum to a multiple of ½.
  expect(Number.isInteger(2 * r.wins[0][1])).toBe(true)
})

test('a running tournament can be cancelled; wrong inputs are refused with sentences', async () => {
  const started = await engine.call('tournaments.start', { players: ['tiny-a', 'tiny-b'], judge: 'pref:judge', prompts: 'dinner', n: 5000, settings: { maxTokens: 16 } })
  const done = finished(started.id)
  await new Promise((resolve) => setTimeout(resolve, 200))
  await engine.call('tournaments.cancel', { tournament: started.id })
  expect(await done).toMatchObject({ status: 'cancelled', job: null })
  await expect(engine.call('tournaments.cancel', { tournament: started.id })).rejects.toThrow(/is cancelled; only a queued or running tournament can be cancelled/)
  await expect(engine.call('tournaments.start', { players: ['tiny-a', 'tiny-b'], judge: 'oracle' })).rejects.toThrow(/judged by oracle needs a prompt dataset/)
  await expect(engine.call('tournaments.start', { players: ['tiny-a', 'model:1'], judge: 'human' })).rejects.toThrow(/Player model:1 is listed twice/)
  await expect(engine.call('tournaments.start', { players: ['tiny-a', 'tiny-b'], judge: 'pref:tiny-a', prompts: 'dinner' })).rejects.toThrow(/"tiny-a" is a policy model, not a preference/)
  await expect(engine.call('tournaments.start', { players: ['tiny-a', 'tiny-b'], judge: 'crowd' })).rejects.toThrow(/a judge is pref:<model>, oracle or human/)
  await engine.call('tournaments.delete', { tournament: started.id })
  await expect(engine.call('tournaments.show', { tournament: started.id })).rejects.toThrow(/There is no tournament/)
})
