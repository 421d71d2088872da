import { beforeEach, expect, test } from 'vitest'
import { answeringTransport, installFake, unexpected } from './fake-transport'
import { ApiError } from '../api/client'
import { useErrorStore } from './errors'
import { useModelsStore } from './models'

/** The one mocked boundary: a transport answering from a small model table. */
function fakeTransport() {
  const models = [{ id: 1, name: 'tiny', kind: 'policy', parent: null, run: null, dataset: null }]
  const fake = answeringTransport(async (method, i) => {
    switch (method) {
      case 'models.list':
        return models
      case 'datasets.list':
        return []
      case 'models.show':
        return { ...models.find((m) => m.id === i.model), checkpoints: [], children: [], config: {}, folder: `/data/models/${i.model}` }
      case 'models.create':
        if (models.some((m) => m.name === i.name)) throw new ApiError({ code: 'conflict', message: `A model named "${i.name}" already exists.` })
        models.push({ id: 2, name: String(i.name), kind: 'policy', parent: null, run: null, dataset: null })
        return models[1]
      case 'models.import':
        models.push({ id: 3, name: String(i.name), kind: 'imported', parent: null, run: null, dataset: null })
        return models[models.length - 1]
      case 'models.export':
        return { folder: i.out, files: ['model.onnx'], bytes: 1, external: false, inputs: [], outputs: [] }
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

test('creates, selects and follows pushed model changes', async () => {
  const store = useModelsStore()
  await store.start()
  expect(store.list.map((m) => m.name)).toEqual(['tiny'])
  expect(await store.create({ name: 'tiny', architecture: { dModel: 16 } })).toBe(false)
  expect(useErrorStore().message).toBe('A model named "tiny" already exists.')
  expect(await store.create({ name: 'second', architecture: { dModel: 16 } })).toBe(true)
  expect(store.selectedId).toBe(2)
  expect(store.detail?.name).toBe('second')
  fake.push('models.changed', { id: 2, name: 'second' })
  await new Promise((r) => setTimeout(r, 0))
  expect(fake.calls.filter((c) => c.method === 'models.list').length).toBe(3)
  store.stop()
})

test('imports staged files and exports the selected model or a checkpoint', async () => {
  const store = useModelsStore()
  await store.start()
  const onnx = new File(['x'], 'decoder.onnx')
  const tokenizer = new File(['{}'], 'tokenizer.json')
  expect(await store.importFiles(onnx, tokenizer, 'decoder')).toBe(true)
  expect(fake.calls.find((c) => c.method === 'models.import')!.input).toEqual({ path: '/staged/decoder.onnx', tokenizer: '/staged/tokenizer.json', name: 'decoder' })
  expect(store.generators.map((m) => m.name)).toEqual(['tiny', 'decoder'])
  await store.exportTo('/out/a')
  await store.exportTo('/out/b', 7)
  const exports = fake.calls.filter((c) => c.method === 'models.export').map((c) => c.input)
  expect(exports).toEqual([{ model: 3, out: '/out/a' }, { checkpoint: 7, out: '/out/b' }])
  expect(store.lastExport?.folder).toBe('/out/b')
})
