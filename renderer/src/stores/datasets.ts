import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { ComparisonRow, DatasetSummary, ImportResult, RowPage } from '../../../native/api/contract'
import { client } from '../api/client'
import { useErrorStore } from './errors'

/** Datasets: the list with counts, the selected dataset and the page of its rows on screen. */
export const useDatasetsStore = defineStore('datasets', () => {
  const errors = useErrorStore()
  const list = ref<DatasetSummary[]>([])
  const selected = ref<string | null>(null)
  const page = shallowRef<RowPage<ComparisonRow> | null>(null)
  const pageSize = ref(50)
  const busy = ref(false)
  const lastImport = ref<ImportResult | null>(null)
  let unsubscribe: (() => void) | null = null

  async function guard<T>(work: () => Promise<T>): Promise<T | undefined> {
    busy.value = true
    try {
      return await work()
    } catch (error) {
      errors.report(error)
      return undefined
    } finally {
      busy.value = false
    }
  }

  async function refresh() {
    await guard(async () => {
      list.value = await client().call('datasets.list', {})
      if (selected.value && !list.value.some((d) => d.name === selected.value)) {
        selected.value = null
        page.value = null
      }
    })
  }

  /** Load the list once and follow changes pushed by the engine. */
  async function start() {
    unsubscribe ??= client().on('datasets.changed', () => {
      void refresh()
      if (selected.value) void loadPage(page.value?.offset ?? 0)
    })
    await refresh()
  }

  function stop() {
    unsubscribe?.()
    unsubscribe = null
  }

  async function create(name: string, description = ''): Promise<boolean> {
    const created = await guard(() => client().call('datasets.create', { name, description }))
    if (!created) return false
    await refresh()
    await select(created.name)
    return true
  }

  async function select(name: string) {
    selected.value = name
    await loadPage(0)
  }

  async function loadPage(offset: number) {
    const name = selected.value
    if (!name) return
    const result = await guard(() => client().call('datasets.comparisons', { name, offset: Math.max(0, offset), limit: pageSize.value }))
    if (result && selected.value === name) page.value = result
  }

  async function nextPage() {
    const p = page.value
    if (p && p.offset + p.limit < p.total) await loadPage(p.offset + p.limit)
  }

  async function previousPage() {
    const p = page.value
    if (p && p.offset > 0) await loadPage(p.offset - p.limit)
  }

  /** Send a user-picked file to the engine and import it into `dataset` (all or nothing). */
  async function importFile(file: File, dataset: string): Promise<ImportResult | undefined> {
    const result = await guard(async () => {
      const { path } = await client().stageFile(file)
      return client().call('datasets.import', { dataset, path, fileName: file.name })
    })
    if (result) {
      lastImport.value = result
      errors.clear()
      await refresh()
      await select(result.dataset.name)
    }
    return result
  }

  return { list, selected, page, pageSize, busy, lastImport, start, stop, refresh, create, select, loadPage, nextPage, previousPage, importFile }
})
