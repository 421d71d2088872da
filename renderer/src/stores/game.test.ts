import { beforeEach, expect, test } from 'vitest'
import { answeringTransport, installFake, unexpected } from './fake-transport'
import { ApiError } from '../api/client'
import type { DataMatrix, GamePreset, GameSolution } from '../../../native/api/contract'
import { useGameStore } from './game'

const rps: GamePreset = {
  id: 'rock-paper-scissors',
  name: 'Rock-paper-scissors',
  description: 'A cycle.',
  actions: ['Rock', 'Paper', 'Scissors'],
  P: [
    [0.5, 0, 1],
    [1, 0.5, 0],
    [0, 1, 0.5],
  ],
  mu: null,
  tau: 0.1,
  scores: null,
}

/** The one mocked boundary: a transport answering game.* calls from canned values. */
function fakeTransport() {
  /** When set, the next game.solve waits for this promise before answering. */
  let hold: Promise<void> | null = null
  const fake = answeringTransport(async (method, i) => {
    switch (method) {
      case 'game.presets':
        return [rps]
      case 'game.algorithms':
        return [{ name: 'nash-md', label: 'Nash-MD', update: '…', scheduled: true, stepped: true }]
      case 'game.solve': {
        const wait = hold
        hold = null
        if (wait) await wait
        if (i.tau === 7) throw new ApiError({ code: 'invalid_input', message: 'Nash-MD needs eta·tau ≤ 1 (the mixture weight on μ); got eta·tau = 7.' })
        const P = i.P as number[][]
        const solution: Partial<GameSolution> = { actions: i.actions as string[], tau: i.tau as number, nash: P.map(() => 1 / P.length), kl: [P[0][1]], t: [0] }
        return solution
      }
      case 'game.fromDataset': {
        const m: DataMatrix = {
          source: 'dataset',
          title: 'Where should we eat tonight?',
          actions: ['The noodle bar on the corner, open late', 'Pizza'],
          ids: [4, 5],
          P: [
            [0.5, 0.75],
            [0.25, 0.5],
          ],
          counts: [
            [0, 4],
            [4, 0],
          ],
          missing: [],
          judgements: 4,
          ignored: 1,
        }
        return m
      }
      default:
        throw unexpected(method)
    }
  })
  return {
    ...fake,
    solves: () => fake.calls.filter((c) => c.method === 'game.solve'),
    holdNextSolve() {
      let open!: () => void
      hold = new Promise<void>((resolve) => (open = resolve))
      return open
    },
  }
}

let fake: ReturnType<typeof fakeTransport>
beforeEach(() => {
  fake = installFake(fakeTransport())
})

test('start opens the first preset and runs it once', async () => {
  const game = useGameStore()
  await game.start()
  await game.flush()
  expect(game.actions).toEqual(['Rock', 'Paper', 'Scissors'])
  expect(fake.solves()).toHaveLength(1)
  expect(fake.solves()[0].input).toMatchObject({ P: rps.P, mu: null, tau: 0.1, algo: 'nash-md', samples: 600 })
  // The schedule is Nash-MD's default: no constant step is sent.
  expect(fake.solves()[0].input).not.toHaveProperty('eta')
  expect(game.solution?.nash).toHaveLength(3)
})

test('editing a cell mirrors it so that P + Pᵀ = 1, and quick edits coalesce into one run', async () => {
  const game = useGameStore()
  await game.start()
  await game.flush()
  game.setCell(0, 1, 0.3)
  game.setCell(0, 1, 0.35)
  game.setCell(2, 0, 1.4)
  await game.flush()
  expect(fake.solves()).toHaveLength(2)
  const P = fake.solves()[1].input.P as number[][]
  expect(P[0][1]).toBe(0.35)
  expect(P[1][0]).toBe(0.65)
  expect(P[2][0]).toBe(1)
  expect(P[0][2]).toBe(0)
  expect(game.source?.edited).toBe(true)
  expect(game.solution?.kl).toEqual([0.35])
  game.setCell(1, 1, 0.9)
  expect(game.P[1][1]).toBe(0.5)
})

test('an answer overtaken by a newer request is dropped', async () => {
  const game = useGameStore()
  await game.start()
  await game.flush()
  const open = fake.holdNextSolve()
  const slow = game.solveNow()
  game.setCell(0, 1, 0.2)
  await game.flush()
  expect(game.solution?.kl).toEqual([0.2])
  open()
  await slow
  expect(game.solution?.kl).toEqual([0.2])
})

test('the step sent follows the algorithm and τ', async () => {
  const game = useGameStore()
  await game.start()
  await game.flush()
  game.setTau(0)
  await game.flush()
  expect(fake.solves().at(-1)!.input).toMatchObject({ tau: 0, eta: 0.1 })
  game.setTau(0.5)
  game.setStepMode('constant')
  game.setEta(0.25)
  await game.flush()
  expect(fake.solves().at(-1)!.input).toMatchObject({ tau: 0.5, eta: 0.25 })
  game.setAlgorithm('fictitious-play')
  await game.flush()
  expect(fake.solves().at(-1)!.input).not.toHaveProperty('eta')
})

test('an engine refusal is kept beside the controls and the last plots stay', async () => {
  const game = useGameStore()
  await game.start()
  await game.flush()
  const before = game.solution
  game.setTau(7)
  await game.flush()
  expect(game.problem).toContain('eta·tau ≤ 1')
  expect(game.solution).toBe(before)
  game.setTau(0.1)
  await game.flush()
  expect(game.problem).toBeNull()
})

test('actions can be added and removed; μ is the normalised weights', async () => {
  const game = useGameStore()
  await game.start()
  game.addAction()
  expect(game.actions).toEqual(['Rock', 'Paper', 'Scissors', 'D'])
  expect(game.P.map((row) => row.length)).toEqual([4, 4, 4, 4])
  expect(game.P[3]).toEqual([0.5, 0.5, 0.5, 0.5])
  game.setWeight(0, 3)
  expect(game.mu).toEqual([0.5, 1 / 6, 1 / 6, 1 / 6])
  game.removeAction(1)
  expect(game.actions).toEqual(['Rock', 'Scissors', 'D'])
  expect(game.P).toEqual([
    [0.5, 1, 0.5],
    [0, 0.5, 0.5],
    [0.5, 0.5, 0.5],
  ])
  await game.flush()
  expect(fake.solves().at(-1)!.input.mu).toEqual([0.6, 0.2, 0.2])
  game.uniformReference()
  await game.flush()
  expect(fake.solves().at(-1)!.input.mu).toBeNull()
})

test('a dataset matrix arrives with short labels, full titles and a note on what was counted', async () => {
  const game = useGameStore()
  await game.loadFromDataset('restaurants')
  await game.flush()
  expect(game.actions).toEqual(['The noodle bar o…', 'Pizza'])
  expect(game.titles[0]).toBe('The noodle bar on the corner, open late')
  expect(game.dataNote).toBe('4 judgements (1 left out: both bad or self-comparisons); 0 of 1 pairs never compared, set to ½.')
  expect(fake.solves().at(-1)!.input.P).toEqual([
    [0.5, 0.75],
    [0.25, 0.5],
  ])
})
