import { beforeEach, expect, test } from 'vitest'
import type { Transport } from '../api/transport'
import { answeringTransport, installFake, unexpected } from './fake-transport'
import type { ComparisonRow, EditSummary, Outcome } from '../../../native/api/contract'
import { ApiError } from '../api/client'
import { useDatasetsStore } from './datasets'
import { useErrorStore } from './errors'

/** The one mocked boundary: a transport that answers from a small in-memory table. */
function fakeTransport() {
  const datasets = [{ id: 1, name: 'demo', description: '', createdAt: '', prompts: 2, responses: 4, comparisons: 120, feedback: 0 }]
  const rows: ComparisonRow[] = Array.from({ length: 120 }, (_, i) => ({
    id: i + 1,
    prompt: `prompt ${i}`,
    responseA: `a ${i}`,
    responseB: `b ${i}`,
    outcome: 'a',
    annotator: null,
    source: 'import',
    shownLeft: null,
    flagged: false,
    createdAt: '',
  }))
  const edits: { edit: EditSummary; before: Outcome }[] = []
  /** Answers held back until released, to test out-of-order replies. */
  const held: (() => void)[] = []
  let hold = false
  const curation = (edit: EditSummary | null) => ({ dataset: datasets[0], edit, undoable: edits.length })
  const fake = answeringTransport(async (method, i) => {
    if (hold) await new Promise<void>((resolve) => held.push(resolve))
    switch (method) {
      case 'datasets.list':
        return datasets
      case 'datasets.create':
        if (datasets.some((d) => d.name === i.name)) throw new ApiError({ code: 'conflict', message: `A dataset named "${i.name}" already exists.` })
        datasets.push({ id: 2, name: String(i.name), description: '', createdAt: '', prompts: 0, responses: 0, comparisons: 0, feedback: 0 })
        return datasets[1]
      case 'datasets.comparisons': {
        const matching = i.query ? rows.filter((r) => r.prompt.includes(String(i.query))) : rows
        const offset = Number(i.offset)
        const limit = Number(i.limit)
        // A cursor names the row before (after) or after (before) the page, as the engine reads it.
        const start =
          i.after !== undefined
            ? matching.filter((r) => r.id <= Number(i.after)).length
            : i.before !== undefined
              ? Math.max(0, matching.filter((r) => r.id < Number(i.before)).length - limit)
              : offset
        return { rows: matching.slice(start, start + limit), total: matching.length, offset, limit: i.limit, ...(i.query ? { query: i.query, elapsedMs: 1 } : {}) }
      }
      case 'datasets.comparison': {
        const row = rows.find((r) => r.id === i.id)
        if (!row) throw new ApiError({ code: 'not_found', message: `This dataset has no comparison ${i.id}.` })
        return { ...row, promptId: 1, responseAId: 1, responseBId: 2, sourceA: 'import', sourceB: 'import', promptMessages: null, responseAMessages: null, responseBMessages: null, samePair: 0 }
      }
      case 'datasets.setOutcome': {
        const row = rows.find((r) => r.id === (i.ids as number[])[0])!
        const edit = { batch: edits.length + 1, action: 'outcome' as const, comparisons: [row.id], createdAt: '', description: `Changed the outcome of comparison ${row.id} to ${i.outcome}.` }
        edits.push({ edit, before: row.outcome })
        row.outcome = i.outcome as Outcome
        return curation(edit)
      }
      case 'datasets.delete': {
        const at = datasets.findIndex((d) => d.name === i.name)
        if (at === -1) throw new ApiError({ code: 'not_found', message: `There is no dataset named "${i.name}".` })
        datasets.splice(at, 1)
        return { deleted: i.name }
      }
      case 'datasets.deleteComparisons': {
        const id = (i.ids as number[])[0]
        rows.splice(
          rows.findIndex((r) => r.id === id),
          1,
        )
        return curation({ batch: 9, action: 'delete', comparisons: [id], createdAt: '', description: `Deleted comparison ${id}.` })
      }
      case 'datasets.undo': {
        const last = edits.pop()
        if (last) rows.find((r) => r.id === last.edit.comparisons[0])!.outcome = last.before
        return curation(last?.edit ?? null)
      }
      case 'datasets.edits':
        return edits.map((e) => e.edit).reverse()
      case 'datasets.stats':
        return { ...datasets[0], outcomes: { a: 120, b: 0, tie: 0, both_bad: 0 }, flagged: 0, annotators: 0, undoable: edits.length }
      case 'datasets.preview':
        return { container: 'csv', columns: ['q', 'good', 'bad'], sample: [], detected: null, problem: 'not recognised', suggestedMapping: { prompt: 'q', chosen: 'good', rejected: 'bad' }, items: [] }
      case 'datasets.import':
        return { dataset: datasets[0], format: 'map', schema: 'column mapping', container: 'csv', rows: 1, prompts: 1, responses: 2, comparisons: 1, feedback: 0, duplicates: 0, duplicateExamples: [], onDuplicate: 'keep', identicalPairs: 0, seconds: 0 }
      default:
        throw unexpected(method)
    }
  })
  return {
    ...fake,
    rows,
    hold: (on: boolean) => (hold = on),
    release: () => held.splice(0).forEach((r) => r()),
  }
}

let fake: ReturnType<typeof fakeTransport>
beforeEach(() => {
  fake = installFake(fakeTransport())
})

const tick = () => new Promise((r) => setTimeout(r, 0))
const sent = (method: string) => fake.sent(method)

test('start loads the list and follows pushed changes', async () => {
  const store = useDatasetsStore()
  await store.start()
  expect(store.list.map((d) => d.name)).toEqual(['demo'])
  fake.push('datasets.changed', { name: 'demo' })
  await tick()
  expect(sent('datasets.list')).toHaveLength(2)
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
  await store.goToRow(120)
  expect(store.page?.offset).toBe(100)
  await store.goToRow(1)
  expect(store.page?.offset).toBe(0)
})

test('next and previous pages name the row beside them, so the engine reads them from there', async () => {
  const store = useDatasetsStore()
  await store.select('demo')
  await store.setFilters({ flagged: false })
  await store.nextPage()
  expect(sent('datasets.comparisons').at(-1)).toMatchObject({ name: 'demo', offset: 50, after: 50, flagged: false })
  await store.nextPage()
  expect(sent('datasets.comparisons').at(-1)).toMatchObject({ offset: 100, after: 100 })
  expect(store.page?.rows.map((r) => r.id)).toEqual(Array.from({ length: 20 }, (_, k) => 101 + k))
  await store.previousPage()
  expect(sent('datasets.comparisons').at(-1)).toMatchObject({ offset: 50, before: 101 })
  expect(store.page?.rows.map((r) => r.id)).toEqual(Array.from({ length: 50 }, (_, k) => 51 + k))
  // A change pushed by the engine reads the page again from its first row.
  await store.start()
  fake.push('datasets.changed', { name: 'demo' })
  await tick()
  expect(sent('datasets.comparisons').at(-1)).toMatchObject({ offset: 50, after: 50 })
  expect(store.page?.rows[0].id).toBe(51)
  store.stop()
  // A jump to a row, a new search or a new filter starts from its offset.
  await store.goToRow(1)
  expect(sent('datasets.comparisons').at(-1)).not.toHaveProperty('after')
  expect(sent('datasets.comparisons').at(-1)).not.toHaveProperty('before')
})

test('an engine error becomes the readable message on the error store', async () => {
  const store = useDatasetsStore()
  const ok = await store.create('demo')
  expect(ok).toBe(false)
  expect(useErrorStore().message).toBe('A dataset named "demo" already exists.')
})

test('a search asks the engine from the first page, and a late answer to an older page is dropped', async () => {
  const store = useDatasetsStore()
  await store.select('demo')
  await store.nextPage()
  await store.search('prompt 11')
  expect(sent('datasets.comparisons').at(-1)).toMatchObject({ name: 'demo', offset: 0, query: 'prompt 11' })
  expect(store.page?.rows.map((r) => r.id)).toEqual([12, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120])
  fake.hold(true)
  const older = store.search('prompt 2')
  const newer = store.search('prompt 3')
  fake.hold(false)
  fake.release()
  await Promise.all([older, newer])
  expect(store.page?.query).toBe('prompt 3')
  await store.search('')
  expect(sent('datasets.comparisons').at(-1)).not.toHaveProperty('query')
})

test('open, change the outcome, undo: the pane and the page follow', async () => {
  const store = useDatasetsStore()
  await store.select('demo')
  await store.open(3)
  expect(store.detail?.id).toBe(3)
  await store.setOutcome('tie')
  expect(sent('datasets.setOutcome')).toEqual([{ name: 'demo', ids: [3], outcome: 'tie' }])
  expect(store.lastEdit?.description).toBe('Changed the outcome of comparison 3 to tie.')
  expect(store.undoable).toBe(1)
  await store.undo()
  expect(store.lastEditUndone).toBe(true)
  expect(store.undoable).toBe(0)
  expect(store.detail).toMatchObject({ id: 3, outcome: 'a' })
  expect(store.page?.rows[2].outcome).toBe('a')
  await store.step(1)
  expect(store.detail?.id).toBe(4)
})

test('deleting the open comparison opens the next one', async () => {
  const store = useDatasetsStore()
  await store.select('demo')
  await store.open(5)
  await store.remove()
  expect(sent('datasets.deleteComparisons')).toEqual([{ name: 'demo', ids: [5] }])
  expect(store.detail?.id).toBe(6)
  expect(store.page?.rows.some((r) => r.id === 5)).toBe(false)
})

test('a picked file is staged once, previewed, and imported with the chosen format and mapping', async () => {
  const store = useDatasetsStore()
  const file = new File(['q,good,bad\nx,y,z\n'], 'pairs.csv')
  await store.stage(file)
  expect(store.preview?.suggestedMapping).toEqual({ prompt: 'q', chosen: 'good', rejected: 'bad' })
  await store.previewWith({ format: 'map', map: { prompt: 'q', chosen: 'good', rejected: 'bad' } })
  expect(sent('datasets.preview').at(-1)).toMatchObject({ path: '/staged/pairs.csv', format: 'map', map: { prompt: 'q' } })
  await store.importFile(file, 'demo', { format: 'map', map: { prompt: 'q', chosen: 'good', rejected: 'bad' }, onDuplicate: 'skip' })
  expect(sent('stage')).toHaveLength(1)
  expect(sent('datasets.import')).toEqual([
    { dataset: 'demo', path: '/staged/pairs.csv', fileName: 'pairs.csv', format: 'map', onDuplicate: 'skip', map: { prompt: 'q', chosen: 'good', rejected: 'bad' } },
  ])
  expect(store.selected).toBe('demo')
})

test('dataset job progress is followed until it finishes', async () => {
  const store = useDatasetsStore()
  await store.start()
  const progress = { job: '1', kind: 'datasets.import', done: 10, total: 100, unit: 'bytes', rate: null, etaSeconds: null, elapsedSeconds: 1 }
  fake.push('jobs.progress', progress)
  expect(store.progress).toEqual(progress)
  fake.push('jobs.progress', { ...progress, kind: 'train.nash-md-pg', done: 50 })
  expect(store.progress?.done).toBe(10)
  fake.push('jobs.progress', { ...progress, done: 100 })
  expect(store.progress).toBeNull()
  store.stop()
})

test('feedback and prompt pages are asked for the selected dataset', async () => {
  const store = useDatasetsStore()
  await store.select('demo')
  fake.transport.call = (async (method: string, input: unknown) => {
    fake.calls.push({ method, input: input as Record<string, unknown> })
    return { rows: [], total: 0, offset: 0, limit: 50 }
  }) as Transport['call']
  await store.loadFeedback(0, 'cheese')
  await store.loadPrompts(50)
  expect(sent('datasets.feedback')).toEqual([{ name: 'demo', offset: 0, limit: 50, query: 'cheese' }])
  expect(sent('datasets.prompts')).toEqual([{ name: 'demo', offset: 50, limit: 50 }])
  expect(store.feedbackQuery).toBe('cheese')
})

test('deleting the selected dataset clears the selection and reads the list again', async () => {
  const store = useDatasetsStore()
  await store.start()
  await store.select('demo')
  expect(await store.removeDataset('demo')).toBe(true)
  expect(sent('datasets.delete')).toEqual([{ name: 'demo' }])
  expect(store.selected).toBeNull()
  expect(store.page).toBeNull()
  expect(store.list).toEqual([])
  // A second delete of the same name reports the engine's error and changes nothing.
  expect(await store.removeDataset('demo')).toBe(false)
  expect(useErrorStore().message).toContain('There is no dataset named "demo".')
  store.stop()
})
