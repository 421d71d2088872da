import { beforeEach, expect, test } from 'vitest'
import { answeringTransport, installFake, unexpected } from './fake-transport'
import { useCompareStore } from './compare'

/** The one mocked boundary: a transport that streams two responses as the engine would, then answers. */
function fakeTransport() {
  const hooks = { afterStream: () => {} }
  const player = (id: number, name: string) => ({ ref: `model:${id}`, label: name, kind: 'model', model: { id, name, kind: 'policy' }, checkpoint: null, detail: '' })
  const fake = answeringTransport(async (method, i) => {
    switch (method) {
      case 'compare.choices':
        return { players: [player(2, 'b'), player(1, 'a'), player(3, 'c')], preferences: [player(4, 'judge')] }
      case 'compare.run': {
        const request = i.request as string
        fake.push('compare.tokens', { request: 'someone else', player: 0, text: 'NOT MINE', done: false })
        for (const [p, parts] of [['Ta', 'cos.'], ['Su', 'shi']].entries()) {
          fake.push('compare.tokens', { request, player: p, text: parts[0], done: false })
          fake.push('compare.tokens', { request, player: p, text: parts[1], done: true, finishReason: 'eos' })
        }
        await new Promise((r) => setTimeout(r, 0))
        hooks.afterStream()
        return {
          prompt: i.prompt,
          settings: i.settings,
          reference: { ref: 'model:2', label: 'b' },
          preference: { ref: 'model:4', label: 'judge' },
          responses: [
            { player: 'model:2', label: 'b', text: 'Tacos.', tokens: 3, characters: 6, finishReason: 'eos', logprob: -3, referenceLogprob: -3 },
            { player: 'model:1', label: 'a', text: 'Sushi', tokens: 2, characters: 5, finishReason: 'eos', logprob: -2, referenceLogprob: -4 },
          ],
          pairs: [{ a: 0, b: 1, p: 0.7 }],
          warnings: [],
          seconds: 0.1,
        }
      }
      case 'compare.vote':
        return { session: 's1', source: i.into, into: i.into, annotator: i.annotator, order: 'queue', total: 1, votes: 0 }
      default:
        throw unexpected(method)
    }
  })
  return { ...fake, hooks }
}

let fake: ReturnType<typeof fakeTransport>
beforeEach(() => {
  fake = installFake(fakeTransport())
})

test('picks two players, the first as reference and the first preference model, and keeps 2–4 players', async () => {
  const store = useCompareStore()
  await store.load()
  expect(store.players).toEqual(['model:2', 'model:1'])
  expect(store.reference).toBe('model:2')
  expect(store.preference).toBe('model:4')
  store.addPlayer()
  expect(store.players).toEqual(['model:2', 'model:1', 'model:3'])
  store.removePlayer(0)
  store.removePlayer(0)
  expect(store.players).toEqual(['model:1', 'model:3'])
})

test('streams only its own request into the columns, then shows the measured result and votes blind on it', async () => {
  const store = useCompareStore()
  await store.load()
  store.prompt = 'Dinner?'
  expect(store.canRun).toBe(true)
  let streamed: string[] = []
  fake.hooks.afterStream = () => (streamed = store.live.map((l) => l.text))
  await store.run()
  expect(streamed).toEqual(['Tacos.', 'Sushi'])
  expect(store.live.map((l) => l.text)).toEqual(['Tacos.', 'Sushi'])
  expect(store.live.every((l) => l.done && l.finishReason === 'eos')).toBe(true)
  expect(store.result?.pairs[0].p).toBe(0.7)
  const run = fake.calls.find((c) => c.method === 'compare.run')!.input
  expect(run).toMatchObject({ prompt: 'Dinner?', players: ['model:2', 'model:1'], reference: 'model:2', preference: 'model:4', settings: { maxTokens: 48 } })
  // The subscription ends with the run.
  expect(fake.listeners.size).toBe(0)

  const session = await store.voteBlind('blind', 'ada')
  expect(session).toMatchObject({ session: 's1', into: 'blind' })
  const vote = fake.calls.find((c) => c.method === 'compare.vote')!.input
  expect(vote).toMatchObject({ prompt: 'Dinner?', into: 'blind', annotator: 'ada', responses: [{ player: 'model:2', text: 'Tacos.' }, { player: 'model:1', text: 'Sushi' }] })
})
