import { beforeEach, expect, test } from 'vitest'
import { answeringTransport, installFake, unexpected } from './fake-transport'
import { useTournamentsStore } from './tournaments'

const summary = (id: number, status: string, job: string | null = null) => ({
  id,
  name: `t${id}`,
  judge: 'oracle',
  status,
  players: ['a', 'b'],
  prompts: 'dinner',
  n: 10,
  job,
  progress: null,
  error: null,
  createdAt: '',
  finishedAt: null,
})

/** The one mocked boundary: a transport with one finished tournament and one that starts as a job. */
function fakeTransport() {
  const player = (id: number, name: string) => ({ ref: `model:${id}`, label: name, kind: 'model', model: { id, name, kind: 'policy' }, checkpoint: null, detail: '' })
  const fake = answeringTransport(async (method, i) => {
    switch (method) {
      case 'tournaments.list':
        return [summary(1, 'completed')]
      case 'compare.choices':
        return { players: [player(3, 'c'), player(2, 'b'), player(1, 'a')], preferences: [] }
      case 'tournaments.show':
        return { ...summary(i.tournament as number, i.tournament === 2 ? 'completed' : 'completed'), config: {}, result: { players: ['a', 'b'], matrix: [[0.5, 0.6], [0.4, 0.5]] } }
      case 'tournaments.start':
        return summary(2, 'queued', '7')
      default:
        throw unexpected(method)
    }
  })
  return fake
}

let fake: ReturnType<typeof fakeTransport>
beforeEach(() => {
  fake = installFake(fakeTransport())
})

test('opens on the newest tournament, follows a started one through its job progress, and reloads it when it finishes', async () => {
  const store = useTournamentsStore()
  await store.start()
  expect(store.selected?.id).toBe(1)
  expect(store.form.players).toEqual(['model:3', 'model:2', 'model:1'])

  // Ticked out of order: sent in the order the list shows them.
  store.form.players = ['model:1', 'model:3']
  store.form.prompts = 'dinner'
  await store.run()
  expect(fake.calls.find((c) => c.method === 'tournaments.start')!.input).toMatchObject({ players: ['model:3', 'model:1'], judge: 'oracle', prompts: 'dinner', n: 50 })
  expect(store.list.map((t) => t.id)).toEqual([2, 1])

  fake.push('jobs.progress', { job: '7', kind: 'tournaments.run', done: 30, total: 60, unit: 'items', rate: 10, etaSeconds: 3, elapsedSeconds: 3 })
  expect(store.list[0]).toMatchObject({ status: 'running', progress: { done: 30 } })
  expect(store.selected).toMatchObject({ id: 2, status: 'running', progress: { done: 30 } })

  const shows = fake.calls.filter((c) => c.method === 'tournaments.show').length
  fake.push('tournaments.changed', summary(2, 'completed'))
  await new Promise((r) => setTimeout(r, 0))
  expect(fake.calls.filter((c) => c.method === 'tournaments.show').length).toBe(shows + 1)
  expect(store.selected?.result?.matrix[0][1]).toBe(0.6)
  store.stop()
})

test('a human-judged tournament needs no prompt dataset; the others do', async () => {
  const store = useTournamentsStore()
  await store.start()
  store.form.prompts = ''
  expect(store.canStart).toBe(false)
  store.form.judge = 'human'
  expect(store.canStart).toBe(true)
  store.stop()
})
