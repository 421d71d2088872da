import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, expect, test } from 'vitest'
import { ApiError, createClient, setClient } from '../api/client'
import type { Transport } from '../api/transport'
import { useDatasetsStore } from './datasets'
import { useErrorStore } from './errors'

/** The one mocked boundary: a transport that answers from a small in-memory table. */
function fakeTransport() {
  const calls: { method: string; input: unknown }[] = []
  const listeners = new Set<(event: string, payload: unknown) => void>()
  const datasets = [{ id: 1, name: 'demo', description: '', createdAt: '', prompts: 2, responses: 4, comparisons: 120 }]
  const transport: Transport = {
    kind: 'web',
    async call(method, input) {
      calls.push({ method, input })
      const i = input as Record<string, unknown>
      switch (method) {
        case 'datasets.list':
          return datasets
        case 'datasets.create':
          if (datasets.some((d) => d.name === i.name)) throw new ApiError({ code: 'conflict', message: `A dataset named "${i.name}" already exists.` })
          datasets.push({ id: 2, name: String(i.name), description: '', createdAt: '', prompts: 0, responses: 0, comparisons: 0 })
          return datasets[1]
        case 'datasets.comparisons':
          return { rows: [], total: datasets.find((d) => d.name === i.name)!.comparisons, offset: i.offset, limit: i.limit }
        default:
          throw new Error(`unexpected ${method}`)
      }
    },
    subscribe(listener) {
      listeners.add(listener as never)
      return () => listeners.delete(listener as never)
    },
    stageFile: async (file) => ({ path: `/staged/${file.name}` }),
  }
  return { transport, calls, push: (event: string, payload: unknown) => listeners.forEach((l) => l(event, payload)) }
}

let fake: ReturnType<typeof fakeTransport>
beforeEach(() => {
  setActivePinia(createPinia())
  fake = fakeTransport()
  setClient(createClient(fake.transport))
})

test('start loads the list and follows pushed changes', async () => {
  const store = useDatasetsStore()
  await store.start()
  expect(store.list.map((d) => d.name)).toEqual(['demo'])
  fake.push('datasets.changed', { name: 'demo' })
  await new Promise((r) => setTimeout(r, 0))
  expect(fake.calls.filter((c) => c.method === 'datasets.list')).toHaveLength(2)
  store.stop()
})

test('pages move by the page size and stop at the ends', async () => {
  const store = useDatasetsStore()
  await store.select('demo')
  expect(store.page).toMatchObject({ offset: 0, limit: 50, total: 120 })
  await store.nextPage()
  await store.nextPage()
  expect(store.page?.offset).toBe(100)
  await store.nextPage()
  expect(store.page?.offset).toBe(100)
  await store.previousPage()
  expect(store.page?.offset).toBe(50)
})

test('an engine error becomes the readable message on the error store', async () => {
  const store = useDatasetsStore()
  const ok = await store.create('demo')
  expect(ok).toBe(false)
  expect(useErrorStore().message).toBe('A dataset named "demo" already exists.')
})
