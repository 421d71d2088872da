import { beforeEach, expect, test } from 'vitest'
import { answeringTransport, installFake, unexpected } from './fake-transport'
import { usePlaygroundStore } from './playground'

/** The one mocked boundary: a transport that streams two tokens per sample, then answers. */
function fakeTransport() {
  const fake = answeringTransport(async (method, i) => {
    if (method === 'models.list') {
      return [
        { id: 1, name: 'judge', kind: 'preference' },
        { id: 2, name: 'tiny', kind: 'policy' },
      ]
    }
    if (method === 'generate.run') {
      for (const row of [0, 1]) {
        fake.push('generate.tokens', { request: i.request, row, token: 5, text: 'Ta', done: false })
        fake.push('generate.tokens', { request: 'someone else', row, token: 9, text: 'XX', done: false })
        fake.push('generate.tokens', { request: i.request, row, token: 6, text: 'cos', done: true, finishReason: 'eos' })
      }
      await new Promise((r) => setTimeout(r, 40))
      return {
        model: { id: 2, name: 'tiny' },
        completions: [0, 1].map((sample) => ({ prompt: 0, sample, text: 'Tacos', tokens: [5, 6], logprobs: [-1, -3], finishReason: 'eos' })),
        settings: i.settings,
        tokens: 4,
        seconds: 0.01,
      }
    }
    throw unexpected(method)
  })
  return fake
}

let fake: ReturnType<typeof fakeTransport>
beforeEach(() => {
  fake = installFake(fakeTransport())
})

test('lists only models that generate, and streams the tokens of its own request into the samples', async () => {
  const store = usePlaygroundStore()
  await store.start()
  expect(store.models.map((m) => m.name)).toEqual(['tiny'])
  expect(store.model).toBe(2)
  store.settings.n = 2
  const running = store.generate()
  expect(store.running).toBe(true)
  await new Promise((r) => setTimeout(r, 25))
  // Streamed so far (one render per frame): this request's tokens only.
  expect(store.samples.map((s) => s.text)).toEqual(['Tacos', 'Tacos'])
  expect(store.samples.map((s) => s.tokens)).toEqual([2, 2])
  await running
  expect(store.running).toBe(false)
  expect(store.samples[0]).toMatchObject({ done: true, finishReason: 'eos', meanLogprob: -2 })
  const call = fake.calls.find((c) => c.method === 'generate.run')!
  expect(call.input).toMatchObject({ model: 2, n: 2, settings: { temperature: 1, topP: 1, topK: 0, maxTokens: 48, seed: 0 } })
  // Tokens arriving after the result are not added again.
  fake.push('generate.tokens', { request: call.input.request, row: 0, token: 7, text: '!!', done: true })
  await new Promise((r) => setTimeout(r, 25))
  expect(store.samples[0].text).toBe('Tacos')
  store.stop()
})
