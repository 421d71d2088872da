import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { Engine } from '../engine/engine'

let dir: string
let engine: Engine
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-votes-'))
  engine = new Engine({ database: path.join(dir, 'nashlab.db'), mode: 'cli' })
  const rows = [0, 1, 2, 3, 4, 5].map((i) => JSON.stringify({ prompt: `prompt ${i}`, chosen: `good ${i}`, rejected: `bad ${i}` }))
  fs.writeFileSync(path.join(dir, 'src.jsonl'), rows.join('\n'))
  await engine.call('datasets.import', { dataset: 'src', path: path.join(dir, 'src.jsonl') })
})
afterEach(async () => {
  await engine.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

test('a queue walks every prompt once; each vote is a human comparison with the side shown left', async () => {
  const session = await engine.call('votes.start', { source: 'src', into: 'votes', annotator: 'ada' })
  expect(session.total).toBe(6)
  const sides: boolean[] = []
  for (let i = 0; i < 6; i++) {
    const pair = (await engine.call('votes.next', { session: session.session }))!
    expect(pair.position).toBe(i + 1)
    // Always vote for the "good" response, wherever it is shown.
    const goodOnLeft = pair.left.startsWith('good')
    sides.push(goodOnLeft)
    await engine.call('votes.cast', { session: session.session, pair: pair.pair, choice: goodOnLeft ? 'left' : 'right' })
  }
  expect(await engine.call('votes.next', { session: session.session })).toBeNull()
  // Sides are randomised, so both placements occur in six draws with this seed.
  expect(new Set(sides).size).toBe(2)

  const page = await engine.call('datasets.comparisons', { name: 'votes', limit: 100 })
  expect(page.total).toBe(6)
  for (const row of page.rows) {
    expect(row).toMatchObject({ source: 'human', annotator: 'ada' })
    const winner = row.outcome === 'a' ? row.responseA : row.responseB
    expect(winner.startsWith('good')).toBe(true)
    const left = row.shownLeft === 'a' ? row.responseA : row.responseB
    expect(['a', 'b']).toContain(row.shownLeft)
    expect(typeof left).toBe('string')
  }
})

test('undo removes the last vote; skip and ties are honoured; a pair cannot be voted twice', async () => {
  const { session } = await engine.call('votes.start', { source: 'src' })
  const first = (await engine.call('votes.next', { session }))!
  await engine.call('votes.cast', { session, pair: first.pair, choice: 'tie' })
  await expect(engine.call('votes.cast', { session, pair: first.pair, choice: 'left' })).rejects.toThrow(/already voted/)
  const second = (await engine.call('votes.next', { session }))!
  await engine.call('votes.skip', { session, pair: second.pair })
  const third = (await engine.call('votes.next', { session }))!
  const cast = await engine.call('votes.cast', { session, pair: third.pair, choice: 'both_bad' })
  expect(cast.votes).toBe(2)
  const before = (await engine.call('datasets.show', { name: 'src' })).comparisons
  const undone = await engine.call('votes.undo', { session })
  expect(undone).toEqual({ undone: cast.comparison, votes: 1 })
  expect((await engine.call('datasets.show', { name: 'src' })).comparisons).toBe(before - 1)
  const outcomes = (await engine.call('datasets.comparisons', { name: 'src', limit: 100 })).rows.filter((r) => r.source === 'human').map((r) => r.outcome)
  expect(outcomes).toEqual(['tie'])
})

test('a dataset without pairs is refused with a clear message', async () => {
  await engine.call('datasets.create', { name: 'empty' })
  await expect(engine.call('votes.start', { source: 'empty' })).rejects.toThrow('The dataset "empty" has no prompt with two different responses to compare.')
})
