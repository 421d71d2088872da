import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, expect, test } from 'vitest'
import { createClient, setClient } from '../api/client'
import type { Transport } from '../api/transport'
import { usePlaygroundStore } from './playground'

/** The one mocked boundary: a transport that streams two tokens per sample, then answers. */
function fakeTransport() {
  const listeners = new Set<(event: string, payload: unknown) => void>()
  const calls: { method: string; input: Record<string, unknown> }[] = []
  const push = (event: string, payload: unknown) => listeners.forEach((l) => l(event, payload))
  const transport: Transport = {
    kind: 'web',
    async call(method, input) {
      const i = input as Record<string, unknown>
      calls.push({ method, input: i })
      if (method === 'models.list') {
        return [
          { id: 1, name: 'judge', kind: 'preference' },
          { id: 2, name: 'tiny', kind: 'policy' },
        ]
      }
      if (method === 'generate.run') {
        for (const row of [0, 1]) {
          push('generate.tokens', { request: i.request, row, token: 5, text: 'Ta', done: false })
          push('generate.tokens', { request: 'someone else', row, token: 9, text: 'XX', done: false })
          push('generate.tokens', { request: i.request, row, token: 6, text: 'cos', done: true, finishReason: 'eos' })
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
      throw new Error(`unexpected ${method}`)
    },
    subscribe(listener) {
      listeners.add(listener as never)
      return () => listeners.delete(listener as never)
    },
    stageFile: async (file) => ({ path: file.name }),
  }
  return { transport, calls, push }
}

let fake: ReturnType<typeof fakeTransport>
beforeEach(() => {
  setActivePinia(createPinia())
  fake = fakeTransport()
  setClient(createClient(fake.transport))
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
