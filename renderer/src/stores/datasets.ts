import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type {
  AnnotatorReport,
  ColumnMapping,
  ComparisonDetail,
  ComparisonRow,
  CurationResult,
  DatasetStats,
  DatasetSummary,
  EditSummary,
  FeedbackRow,
  PromptRow,
  DatasetExportFormat,
  DatasetExportResult,
  ImportFormat,
  ImportPreview,
  ImportResult,
  JobProgress,
  Outcome,
  PreferenceHealth,
  RowPage,
} from '../../../native/api/contract'
import { client } from '../api/client'
import { useErrorStore } from './errors'
import { guarded } from './guard'

/** How the next import reads its file: the format (auto-detected unless chosen) and a column mapping. */
export interface ImportOptions {
  format: ImportFormat
  map?: ColumnMapping
  onDuplicate: 'keep' | 'skip'
}

export interface ComparisonFilters {
  outcome?: Outcome
  flagged?: boolean
}

/** A row next to the page wanted: the last row of the page before it, or the first of the page after it. */
export interface PageCursor {
  after?: number
  before?: number
}

/** The cursor for the page after (+1) or before (−1) page `p`: its last or its first row; none when it is empty. */
export function besidePage(p: RowPage<{ id: number }>, direction: 1 | -1): PageCursor {
  const row = direction === 1 ? p.rows[p.rows.length - 1] : p.rows[0]
  if (!row) return {}
  return direction === 1 ? { after: row.id } : { before: row.id }
}

/**
 * The cursor that reads page `p` again from its first row (or, once that is gone, the next one),
 * whatever changed before it: after the id just below its first row's.
 */
export function samePage(p: RowPage<{ id: number }> | null): PageCursor {
  return p && p.rows.length > 0 ? { after: p.rows[0].id - 1 } : {}
}

/**
 * Datasets: the list with counts; the selected dataset's page of comparisons (server-side paging
 * and full-text search), the comparison open in the detail pane and its curation (outcome, flag,
 * delete, undo); the annotator and preference-health reports; staging, previewing and importing a
 * file; exporting; and the progress of the engine's dataset jobs.
 */
export const useDatasetsStore = defineStore('datasets', () => {
  const errors = useErrorStore()
  const list = ref<DatasetSummary[]>([])
  const selected = ref<string | null>(null)
  const page = shallowRef<RowPage<ComparisonRow> | null>(null)
  const pageSize = ref(50)
  const busy = ref(false)
  const lastImport = ref<ImportResult | null>(null)
  const query = ref('')
  const filters = ref<ComparisonFilters>({})
  const detail = shallowRef<ComparisonDetail | null>(null)
  const lastEdit = ref<EditSummary | null>(null)
  const lastEditUndone = ref(false)
  const undoable = ref(0)
  const stats = shallowRef<DatasetStats | null>(null)
  const annotators = shallowRef<AnnotatorReport | null>(null)
  const health = shallowRef<PreferenceHealth | null>(null)
  const reportsLoading = ref(false)
  const staged = shallowRef<{ file: File; path: string } | null>(null)
  const preview = shallowRef<ImportPreview | null>(null)
  const previewing = ref(false)
  const progress = shallowRef<JobProgress | null>(null)
  const lastExport = shallowRef<DatasetExportResult | null>(null)
  const feedbackPage = shallowRef<RowPage<FeedbackRow> | null>(null)
  const feedbackQuery = ref('')
  const promptsPage = shallowRef<RowPage<PromptRow> | null>(null)
  let unsubscribe: (() => void)[] = []
  /** Each page and detail request's number: an answer to an older request is dropped. */
  let pageRequest = 0
  let openRequest = 0

  const summary = computed(() => list.value.find((d) => d.name === selected.value) ?? null)

  const guard = guarded(busy, errors)

  async function refresh() {
    await guard(async () => {
      list.value = await client().call('datasets.list', {})
      if (selected.value && !list.value.some((d) => d.name === selected.value)) clearSelection()
    })
  }

  function clearSelection() {
    selected.value = null
    page.value = null
    detail.value = null
    stats.value = annotators.value = health.value = null
    feedbackPage.value = promptsPage.value = null
    feedbackQuery.value = ''
    lastEdit.value = null
    undoable.value = 0
  }

  /** Load the list once and follow what the engine pushes: dataset changes and job progress. */
  async function start() {
    if (unsubscribe.length === 0) {
      unsubscribe = [
        client().on('datasets.changed', ({ name }) => {
          void refresh()
          if (name === selected.value) void reloadSelected()
        }),
        client().on('jobs.progress', (p) => {
          if (p.kind.startsWith('datasets.')) progress.value = p.total !== null && p.done >= p.total ? null : p
        }),
      ]
    }
    await refresh()
  }

  function stop() {
    for (const off of unsubscribe) off()
    unsubscribe = []
  }

  /** After a change: the same page, the open comparison and any report on screen, fetched again. */
  async function reloadSelected() {
    await loadPage(page.value?.offset ?? 0, samePage(page.value))
    if (detail.value) await open(detail.value.id, { quiet: true, refresh: true })
    if (stats.value || annotators.value || health.value) await loadReports()
  }

  async function create(name: string, description = ''): Promise<boolean> {
    const created = await guard(() => client().call('datasets.create', { name, description }))
    if (!created) return false
    await refresh()
    await select(created.name)
    return true
  }

  /**
   * Delete a whole dataset (not undoable; the view asks first). The engine answers once it is gone;
   * the list is read again and the selection cleared when it was the one deleted.
   */
  async function removeDataset(name: string): Promise<boolean> {
    const deleted = await guard(() => client().call('datasets.delete', { name }))
    if (!deleted) return false
    if (selected.value === name) clearSelection()
    lastImport.value = lastImport.value?.dataset.name === name ? null : lastImport.value
    await refresh()
    return true
  }

  async function select(name: string) {
    if (name !== selected.value) {
      clearSelection()
      query.value = ''
      filters.value = {}
    }
    selected.value = name
    await loadPage(0)
    await loadUndoable()
  }

  /**
   * The page of comparisons from row `offset` (0-based); with a cursor (a row next to it, see
   * `besidePage`), the engine reads it from that row instead of walking to it, so a deep page
   * of a search or a filter costs what the first does.
   */
  async function loadPage(offset: number, cursor: PageCursor = {}) {
    const name = selected.value
    if (!name) return
    const request = ++pageRequest
    const q = query.value.trim()
    const result = await guard(() =>
      client().call('datasets.comparisons', {
        name,
        offset: Math.max(0, offset),
        limit: pageSize.value,
        ...(q ? { query: q } : {}),
        ...filters.value,
        ...cursor,
      }),
    )
    if (result && selected.value === name && request === pageRequest) page.value = result
  }

  async function nextPage() {
    const p = page.value
    if (p && p.offset + p.limit < p.total) await loadPage(p.offset + p.limit, besidePage(p, 1))
  }

  async function previousPage() {
    const p = page.value
    if (p && p.offset > 0) await loadPage(Math.max(0, p.offset - p.limit), besidePage(p, -1))
  }

  /** Jump to the page holding row `row` (1-based). */
  async function goToRow(row: number) {
    const p = page.value
    if (!p) return
    const index = Math.min(Math.max(1, Math.floor(row)), Math.max(1, p.total)) - 1
    await loadPage(Math.floor(index / pageSize.value) * pageSize.value)
  }

  /** Full-text search (empty: all rows) from the first page. */
  async function search(text: string) {
    query.value = text
    await loadPage(0)
  }

  async function setFilters(next: ComparisonFilters) {
    filters.value = next
    await loadPage(0)
  }

  /**
   * Open a comparison in the detail pane. A refresh (after a change pushed by the engine) updates
   * the one still open and gives way to any comparison opened since.
   */
  async function open(id: number, options: { quiet?: boolean; refresh?: boolean } = {}) {
    const name = selected.value
    if (!name) return
    const request = options.refresh ? openRequest : ++openRequest
    const current = () => selected.value === name && request === openRequest && (!options.refresh || detail.value?.id === id)
    try {
      const found = await client().call('datasets.comparison', { name, id })
      if (current()) detail.value = found
    } catch (error) {
      // A comparison deleted meanwhile just closes; anything else is reported.
      if (!current()) return
      detail.value = null
      if (!options.quiet) errors.report(error)
    }
  }

  function close() {
    openRequest++
    detail.value = null
  }

  /** Open the next (+1) or previous (−1) comparison of the page, paging on at the ends. */
  async function step(direction: 1 | -1) {
    const p = page.value
    if (!p || p.rows.length === 0) return
    const at = detail.value ? p.rows.findIndex((r) => r.id === detail.value!.id) : -1
    const next = at + direction
    if (at === -1) return open(p.rows[direction === 1 ? 0 : p.rows.length - 1].id)
    if (next >= 0 && next < p.rows.length) return open(p.rows[next].id)
    if (direction === 1 && p.offset + p.limit < p.total) {
      await nextPage()
      if (page.value?.rows[0]) await open(page.value.rows[0].id)
    } else if (direction === -1 && p.offset > 0) {
      await previousPage()
      const rows = page.value?.rows ?? []
      if (rows.length) await open(rows[rows.length - 1].id)
    }
  }

  function applied(result: CurationResult | undefined) {
    if (!result) return
    if (result.edit) {
      lastEdit.value = result.edit
      lastEditUndone.value = false
    }
    undoable.value = result.undoable
    list.value = list.value.map((d) => (d.name === result.dataset.name ? result.dataset : d))
  }

  async function setOutcome(outcome: Outcome, ids = detail.value ? [detail.value.id] : []) {
    const name = selected.value
    if (!name || ids.length === 0) return
    applied(await guard(() => client().call('datasets.setOutcome', { name, ids, outcome })))
  }

  async function setFlag(flagged: boolean, ids = detail.value ? [detail.value.id] : []) {
    const name = selected.value
    if (!name || ids.length === 0) return
    applied(await guard(() => client().call('datasets.flag', { name, ids, flagged })))
  }

  async function toggleFlag() {
    if (detail.value) await setFlag(!detail.value.flagged)
  }

  /** Delete the open comparison (undoable) and open the next one on the page. */
  async function remove(ids = detail.value ? [detail.value.id] : []) {
    const name = selected.value
    if (!name || ids.length === 0) return
    const rows = page.value?.rows ?? []
    const at = rows.findIndex((r) => r.id === ids[0])
    const after = rows.slice(at + 1).find((r) => !ids.includes(r.id)) ?? rows.slice(0, Math.max(0, at)).reverse().find((r) => !ids.includes(r.id))
    const result = await guard(() => client().call('datasets.deleteComparisons', { name, ids }))
    if (!result) return
    applied(result)
    close()
    await loadPage(page.value?.offset ?? 0, samePage(page.value))
    if (after) await open(after.id, { quiet: true })
  }

  async function undo() {
    const name = selected.value
    if (!name) return
    const result = await guard(() => client().call('datasets.undo', { name }))
    if (!result) return
    undoable.value = result.undoable
    list.value = list.value.map((d) => (d.name === result.dataset.name ? result.dataset : d))
    if (result.edit) {
      lastEdit.value = result.edit
      lastEditUndone.value = true
      await loadPage(page.value?.offset ?? 0)
      await open(result.edit.comparisons[0], { quiet: true })
    }
  }

  async function loadUndoable() {
    const name = selected.value
    if (!name) return
    const edits = await guard(() => client().call('datasets.edits', { name, limit: 1 }))
    if (edits && selected.value === name) {
      lastEdit.value = edits[0] ?? null
      lastEditUndone.value = false
    }
    const s = await guard(() => client().call('datasets.stats', { name }))
    if (s && selected.value === name) undoable.value = s.undoable
  }

  /** Statistics, the annotator table and the preference-health panel of the selected dataset. */
  async function loadReports() {
    const name = selected.value
    if (!name) return
    reportsLoading.value = true
    try {
      const [s, a, h] = await Promise.all([
        client().call('datasets.stats', { name }),
        client().call('datasets.annotators', { name }),
        client().call('datasets.health', { name }),
      ])
      if (selected.value !== name) return
      stats.value = s
      annotators.value = a
      health.value = h
      undoable.value = s.undoable
    } catch (error) {
      errors.report(error)
    } finally {
      reportsLoading.value = false
    }
  }

  /** Make a picked file readable by the engine once, and preview how it would be read. */
  async function stage(file: File, options: Partial<ImportOptions> = {}) {
    staged.value = null
    preview.value = null
    previewing.value = true
    try {
      const { path } = await client().stageFile(file)
      staged.value = { file, path }
      await previewWith(options)
    } catch (error) {
      errors.report(error)
    } finally {
      previewing.value = false
    }
  }

  /** Preview the staged file again with another format or mapping. */
  async function previewWith(options: Partial<ImportOptions>) {
    const s = staged.value
    if (!s) return
    previewing.value = true
    try {
      const format = options.format ?? 'auto'
      preview.value = await client().call('datasets.preview', {
        path: s.path,
        fileName: s.file.name,
        format: format === 'map' && !options.map ? 'auto' : format,
        ...(format === 'map' && options.map ? { map: options.map } : {}),
      })
    } catch (error) {
      preview.value = null
      errors.report(error)
    } finally {
      previewing.value = false
    }
  }

  /** Import a user-picked file into `dataset` (all or nothing), reusing the staged copy. */
  async function importFile(file: File, dataset: string, options: ImportOptions = { format: 'auto', onDuplicate: 'keep' }): Promise<ImportResult | undefined> {
    const result = await guard(async () => {
      const path = staged.value?.file === file ? staged.value.path : (await client().stageFile(file)).path
      return client().call('datasets.import', {
        dataset,
        path,
        fileName: file.name,
        format: options.format,
        onDuplicate: options.onDuplicate,
        ...(options.format === 'map' && options.map ? { map: options.map } : {}),
      })
    })
    progress.value = null
    if (result) {
      lastImport.value = result
      staged.value = null
      preview.value = null
      errors.clear()
      await refresh()
      await select(result.dataset.name)
    }
    return result
  }

  async function exportTo(format: DatasetExportFormat, path: string, excludeFlagged = false): Promise<DatasetExportResult | undefined> {
    const name = selected.value
    if (!name) return undefined
    const result = await guard(() => client().call('datasets.export', { name, format, path, excludeFlagged }))
    progress.value = null
    if (result) lastExport.value = result
    return result
  }

  /** A page of the selected dataset's unpaired feedback (optionally searched) or of its prompts. */
  /** A page of feedback from row `offset`; `cursor` as for `loadPage` (the view gives one only when the search is the page's own). */
  async function loadFeedback(offset: number, text = feedbackQuery.value, cursor: PageCursor = {}) {
    const name = selected.value
    if (!name) return
    feedbackQuery.value = text
    const q = text.trim()
    const result = await guard(() => client().call('datasets.feedback', { name, offset: Math.max(0, offset), limit: pageSize.value, ...(q ? { query: q } : {}), ...cursor }))
    if (result && selected.value === name) feedbackPage.value = result
  }

  async function loadPrompts(offset: number) {
    const name = selected.value
    if (!name) return
    const result = await guard(() => client().call('datasets.prompts', { name, offset: Math.max(0, offset), limit: pageSize.value }))
    if (result && selected.value === name) promptsPage.value = result
  }

  return {
    list,
    selected,
    summary,
    page,
    pageSize,
    busy,
    lastImport,
    query,
    filters,
    detail,
    lastEdit,
    lastEditUndone,
    undoable,
    stats,
    annotators,
    health,
    reportsLoading,
    staged,
    preview,
    previewing,
    progress,
    lastExport,
    start,
    stop,
    refresh,
    create,
    removeDataset,
    select,
    loadPage,
    nextPage,
    previousPage,
    goToRow,
    search,
    setFilters,
    open,
    close,
    step,
    setOutcome,
    setFlag,
    toggleFlag,
    remove,
    undo,
    loadReports,
    stage,
    previewWith,
    importFile,
    exportTo,
    feedbackPage,
    feedbackQuery,
    promptsPage,
    loadFeedback,
    loadPrompts,
  }
})
