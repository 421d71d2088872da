import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Engine } from '../engine/engine'
import { ComparisonWriter, DatasetRepository } from '../store/datasets'

let folder: string
let engine: Engine

beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-game-'))
  engine = new Engine({ database: path.join(folder, 'lab.db'), mode: 'cli' })
})

afterEach(async () => {
  await engine.close()
  fs.rmSync(folder, { recursive: true, force: true })
})

describe('game.solve through the engine', () => {
  it('validates, runs and downsamples long series to about the asked size', async () => {
    const [rps] = (await engine.call('game.presets', {})).filter((p) => p.id === 'rock-paper-scissors')
    const result = await engine.call('game.solve', { P: rps.P, mu: rps.mu, tau: 0.1, iters: 100_000, samples: 400, actions: rps.actions })
    expect(result.t.length).toBeLessThanOrEqual(400)
    expect(result.t[0]).toBe(0)
    expect(result.t.at(-1)).toBe(100_000)
    expect(result.kl.length).toBe(result.t.length)
    expect(result.policies.length).toBe(result.t.length)
    expect(result.nashResidual).toBeLessThanOrEqual(1e-12)
    expect(result.eta).toBeNull()
    expect(result.boundViolations).toBe(0)
    expect(result.actions).toEqual(['Rock', 'Paper', 'Scissors'])
  })

  it('answers a bad cell with invalid_input naming it', async () => {
    await expect(engine.call('game.solve', { P: [[0.5, 0.4], [0.4, 0.5]], tau: 0.1, iters: 10 })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('P[0][1] + P[1][0]'),
    })
    await expect(engine.call('game.solve', { P: [[0.5, 0.5], [0.5, 0.5]], tau: -1, iters: 10 })).rejects.toMatchObject({ code: 'invalid_input' })
  })

  it('game.nash and game.random', async () => {
    const nash = await engine.call('game.nash', { P: [[0.5, 0, 1], [1, 0.5, 0], [0, 1, 0.5]] })
    expect(nash.value).toBeCloseTo(0.5, 14)
    const random = await engine.call('game.random', { n: 4, seed: 3 })
    expect(random.P.length).toBe(4)
  })
})

describe('game.fromDataset', () => {
  it('builds the empirical matrix of one prompt: ties ½, both_bad left out, never-compared pairs ½ and reported', async () => {
    const repo = new DatasetRepository(engine.db)
    const writer = new ComparisonWriter(engine.db, repo.ensure('votes'))
    const add = (a: string, b: string, outcome: 'a' | 'b' | 'tie' | 'both_bad', prompt = 'Where to eat?') => writer.add({ prompt, a, b, outcome })
    add('x', 'y', 'a')
    add('x', 'y', 'a')
    add('y', 'x', 'tie')
    add('x', 'y', 'b')
    add('y', 'z', 'a')
    add('z', 'y', 'b')
    add('y', 'z', 'both_bad')
    writer.response(writer.prompt('Where to eat?'), 'w') // a response nobody compared
    add('p', 'q', 'a', 'Another prompt')

    const prompts = await engine.call('game.datasetPrompts', { dataset: 'votes' })
    expect(prompts.map((p) => [p.text, p.responses, p.comparisons])).toEqual([
      ['Where to eat?', 4, 7],
      ['Another prompt', 2, 1],
    ])
    const m = await engine.call('game.fromDataset', { dataset: 'votes' })
    expect(m.title).toBe('Where to eat?')
    expect(m.actions).toEqual(['x', 'y', 'z', 'w'])
    // x vs y: x won 2, y won 1, one tie → x: 2.5 of 4.
    expect(m.P[0][1]).toBe(2.5 / 4)
    expect(m.P[1][0]).toBe(1 - 2.5 / 4)
    expect(m.P[1][2]).toBe(1)
    expect(m.counts[0][1]).toBe(4)
    expect(m.counts[1][2]).toBe(2)
    expect(m.P[0][2]).toBe(0.5)
    expect(m.missing).toEqual([[0, 2], [0, 3], [1, 3], [2, 3]])
    expect(m.judgements).toBe(6)
    expect(m.ignored).toBe(1)
    const solved = await engine.call('game.solve', { P: m.P, tau: 0.1, iters: 100 })
    expect(solved.nashResidual).toBeLessThanOrEqual(1e-12)

    const other = await engine.call('game.fromDataset', { dataset: 'votes', prompt: prompts[1].id })
    expect(other.P).toEqual([[0.5, 1], [0, 0.5]])
    await expect(engine.call('game.fromDataset', { dataset: 'votes', prompt: 999 })).rejects.toMatchObject({ code: 'not_found' })
    await expect(engine.call('game.fromDataset', { dataset: 'nothing' })).rejects.toMatchObject({ code: 'not_found' })
  })
})

describe('game.fromTournament', () => {
  /** Rows as the tournament issue will write them (native/store/migrations/001_initial.ts). */
  function insertTournament(name: string, labels: string[], cells: [number, number, number, number][]): number {
    const id = Number(engine.db.prepare("INSERT INTO tournaments (name, judge, status) VALUES (?, 'oracle', 'completed')").run(name).lastInsertRowid)
    labels.forEach((label, position) => engine.db.prepare('INSERT INTO tournament_players (tournament_id, position, label) VALUES (?, ?, ?)').run(id, position, label))
    for (const [row, col, wins, n] of cells) {
      engine.db.prepare('INSERT INTO tournament_cells (tournament_id, row_player, col_player, wins, n) VALUES (?, ?, ?, ?, ?)').run(id, row, col, wins, n)
    }
    return id
  }

  it('reads P(column ≻ row) = wins/n, pools both orders, and reports pairs never played', async () => {
    const id = insertTournament('checkpoints', ['sft', 'md1', 'md2', 'rlhf'], [
      [0, 1, 30, 40], // md1 beat sft 30 of 40
      [1, 0, 5, 20], // sft beat md1 5 of 20 → md1 over sft: (30 + 15) / 60
      [1, 2, 12, 20], // md2 beat md1 12 of 20
      [2, 2, 5, 10], // a self-match, left out
    ])
    const list = await engine.call('game.tournaments', {})
    expect(list).toEqual([{ id, name: 'checkpoints', status: 'completed', players: 4 }])
    const m = await engine.call('game.fromTournament', { tournament: id })
    expect(m.actions).toEqual(['sft', 'md1', 'md2', 'rlhf'])
    expect(m.P[1][0]).toBe(45 / 60)
    expect(m.P[0][1]).toBe(1 - 45 / 60)
    expect(m.P[2][1]).toBe(12 / 20)
    expect(m.counts[0][1]).toBe(60)
    expect(m.missing).toEqual([[0, 2], [0, 3], [1, 3], [2, 3]])
    expect(m.judgements).toBe(80)
    expect(m.ignored).toBe(10)
    const nash = await engine.call('game.nash', { P: m.P })
    expect(nash.value).toBeCloseTo(0.5, 12)
  })

  it('refuses cells that name unknown players or more wins than games', async () => {
    const bad = insertTournament('bad', ['a', 'b'], [[0, 5, 1, 2]])
    await expect(engine.call('game.fromTournament', { tournament: bad })).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('column player 5') })
    const worse = insertTournament('worse', ['a', 'b'], [[0, 1, 3, 2]])
    await expect(engine.call('game.fromTournament', { tournament: worse })).rejects.toMatchObject({ message: expect.stringContaining('3 wins out of 2') })
    await expect(engine.call('game.fromTournament', { tournament: 12345 })).rejects.toMatchObject({ code: 'not_found' })
  })
})
