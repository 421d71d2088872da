import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { Engine } from '../engine/engine'
import { createTinyCheckpoint, createTinyPolicy, createTinyPreference, restaurantPrompts } from './fixtures/tiny-models'
import { loadPreference } from './load'
import { PlayerResolver } from './players'

let dir: string
let engine: Engine
let checkpoint: number
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-compare-'))
  engine = new Engine({ database: path.join(dir, 'nashlab.db'), mode: 'cli' })
  const dinner = await restaurantPrompts(engine, dir)
  const a = await createTinyPolicy(engine, 'tiny-a', 1, dinner)
  await createTinyPolicy(engine, 'tiny-b', 2, dinner)
  createTinyPreference(engine.db, engine.dataDir, 'judge', 3)
  checkpoint = createTinyCheckpoint(engine.db, engine.dataDir, a, 40, 4)
})
afterAll(async () => {
  await engine.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

test('lists policies with their checkpoints as players, and preference models as judges', async () => {
  const choices = await engine.call('compare.choices', {})
  expect(choices.players.map((p) => p.label)).toEqual(['tiny-b', 'tiny-a', 'tiny-a @ step 40'])
  expect(choices.players[2]).toMatchObject({ kind: 'checkpoint', ref: `checkpoint:${checkpoint}`, checkpoint: { step: 40 } })
  expect(choices.preferences.map((p) => p.label)).toEqual(['judge'])
  await expect(engine.call('compare.run', { prompt: 'x', players: ['tiny-a', 'judge'] })).rejects.toThrow(/"judge" is a preference model; only policies/)
  await expect(engine.call('compare.run', { prompt: 'x', players: ['tiny-a', 'nobody'] })).rejects.toThrow(/There is no model named "nobody"/)
})

test('streams every response side by side and measures it: tokens, reference log-prob, P(a ≻ b)', async () => {
  const streamed = new Map<number, string>()
  const order: number[] = []
  const off = engine.events.on('compare.tokens', (e) => {
    if (e.request !== 'r1') return
    streamed.set(e.player, (streamed.get(e.player) ?? '') + e.text)
    order.push(e.player)
  })
  const players = ['tiny-a', 'tiny-b', `checkpoint:${checkpoint}`]
  const result = await engine.call('compare.run', {
    prompt: 'Where should we eat tonight?',
    players,
    reference: 'tiny-a',
    preference: 'judge',
    request: 'r1',
    settings: { maxTokens: 10, seed: 3 },
  })
  off()
  expect(result.responses.map((r) => r.label)).toEqual(['tiny-a', 'tiny-b', 'tiny-a @ step 40'])
  for (const [i, r] of result.responses.entries()) {
    expect(streamed.get(i)).toBe(r.text)
    expect(r.tokens).toBeGreaterThan(0)
    expect(r.tokens).toBeLessThanOrEqual(10)
    expect(r.characters).toBe(r.text.length)
    expect(r.logprob).toBeLessThan(0)
    expect(r.referenceLogprob).toBeLessThan(0)
  }
  // The generations interleave: the second player streams before the first has finished.
  expect(order.indexOf(1)).toBeLessThan(order.lastIndexOf(0))
  // The reference scores its own response exactly as it sampled it (temperature 1, no truncation).
  expect(result.responses[0].referenceLogprob).toBeCloseTo(result.responses[0].logprob, 3)
  expect(result.responses[1].referenceLogprob).not.toBeCloseTo(result.responses[1].logprob, 1)
  // Every pair judged once, and as the preference model itself judges it.
  expect(result.pairs.map((p) => [p.a, p.b])).toEqual([[0, 1], [0, 2], [1, 2]])
  const judge = await loadPreference(new PlayerResolver(engine.db, engine.dataDir).preference('judge'), { session: { intraOpNumThreads: 1 } })
  const direct = await judge.scoreBatch(result.pairs.map(({ a, b }) => ({ prompt: result.prompt, a: result.responses[a].text, b: result.responses[b].text })))
  await judge.release()
  result.pairs.forEach((p, i) => expect(p.p).toBeCloseTo(direct[i], 5))
  // The same seed and settings give the same responses.
  const again = await engine.call('compare.run', { prompt: 'Where should we eat tonight?', players, settings: { maxTokens: 10, seed: 3 } })
  expect(again.responses.map((r) => r.text)).toEqual(result.responses.map((r) => r.text))
  expect(again.reference).toBeNull()
  expect(again.responses[0].referenceLogprob).toBeNull()
})

test('votes blind on a comparison: responses stored with their models, votes exported as TRL rows, counted by the human judge', async () => {
  const compared = await engine.call('compare.run', { prompt: 'Somewhere quiet for dinner?', players: ['tiny-a', 'tiny-b', `checkpoint:${checkpoint}`], settings: { maxTokens: 8, seed: 9 } })
  const session = await engine.call('compare.vote', {
    prompt: compared.prompt,
    responses: compared.responses.map((r) => ({ player: r.player, text: r.text })),
    into: 'blind',
    annotator: 'ada',
  })
  expect(session.total).toBe(3)
  const textOf = new Map(compared.responses.map((r) => [r.text, r.label]))
  // Vote for tiny-b over anyone, and for the checkpoint over tiny-a; sides are hidden and shuffled.
  const rank = ['tiny-b', 'tiny-a @ step 40', 'tiny-a']
  for (;;) {
    const pair = await engine.call('votes.next', { session: session.session })
    if (!pair) break
    expect(JSON.stringify(pair)).not.toMatch(/tiny/)
    const left = rank.indexOf(textOf.get(pair.left)!)
    const right = rank.indexOf(textOf.get(pair.right)!)
    await engine.call('votes.cast', { session: session.session, pair: pair.pair, choice: left < right ? 'left' : 'right' })
  }
  const origins = engine.db
    .prepare('SELECT r.source, r.model_id AS model, o.player FROM response_origins o JOIN responses r ON r.id = o.response_id ORDER BY r.id')
    .all() as { source: string; model: number; player: string }[]
  expect(origins.map((o) => o.player)).toEqual(['model:1', 'model:2', `checkpoint:${checkpoint}`])
  expect(origins.map((o) => o.source)).toEqual(['model:1', 'model:2', `checkpoint:${checkpoint}`])

  const file = path.join(dir, 'votes.jsonl')
  const exported = await engine.call('votes.export', { dataset: 'blind', path: file })
  expect(exported).toMatchObject({ rows: 3, skipped: { ties: 0, bothBad: 0 } })
  const rows = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>)
  for (const row of rows) {
    expect(Object.keys(row)).toEqual(['prompt', 'chosen', 'rejected', 'annotator'])
    expect(rank.indexOf(textOf.get(row.chosen)!)).toBeLessThan(rank.indexOf(textOf.get(row.rejected)!))
  }

  const t = await engine.call('tournaments.start', { players: ['tiny-a', 'tiny-b', `checkpoint:${checkpoint}`], judge: 'human' })
  expect(t.status).toBe('completed')
  const { result } = await engine.call('tournaments.show', { tournament: t.id })
  // matrix[r][c] = P(column ≻ row): tiny-b (column 1) beat tiny-a (row 0) in its one vote.
  expect(result!.matrix).toEqual([
    [0.5, 1, 1],
    [0, 0.5, 0],
    [0, 1, 0.5],
  ])
  expect(result!.n).toEqual([
    [0, 1, 1],
    [1, 0, 1],
    [1, 1, 0],
  ])
  expect(result!.nash[1]).toBeCloseTo(1, 6)
  expect(result!.judged).toBe(3)
})
