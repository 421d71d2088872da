import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { CreatedModel, DatasetSummary, ExportResult, Input, ModelDetail, ModelSummary } from '../../../native/api/contract'
import { client } from '../api/client'
import { useErrorStore } from './errors'
import { guarded } from './guard'

/**
 * Models: the list with lineage, the selected model's detail (checkpoints, children, graph), and
 * the actions of the Models view: create from an architecture, import an ONNX decoder, export a
 * model or one of its checkpoints, delete. Follows `models.changed` pushed by the engine (a run that
 * finishes registers its model).
 */
export const useModelsStore = defineStore('models', () => {
  const errors = useErrorStore()
  const list = ref<ModelSummary[]>([])
  const datasets = ref<DatasetSummary[]>([])
  const selectedId = ref<number | null>(null)
  const detail = ref<ModelDetail | null>(null)
  const busy = ref(false)
  const lastCreated = ref<CreatedModel | null>(null)
  const lastExport = ref<ExportResult | null>(null)
  let unsubscribe: (() => void) | null = null

  /** Models that generate text (policies and imported decoders). */
  const generators = computed(() => list.value.filter((m) => m.kind === 'policy' || m.kind === 'imported'))

  const guard = guarded(busy, errors)

  async function refresh() {
    try {
      const [models, sets] = await Promise.all([client().call('models.list', {}), client().call('datasets.list', {})])
      list.value = models
      datasets.value = sets
      if (selectedId.value !== null) {
        if (models.some((m) => m.id === selectedId.value)) await loadDetail(selectedId.value)
        else {
          selectedId.value = null
          detail.value = null
        }
      }
    } catch (error) {
      errors.report(error)
    }
  }

  async function start() {
    unsubscribe ??= client().on('models.changed', () => void refresh())
    await refresh()
  }

  function stop() {
    unsubscribe?.()
    unsubscribe = null
  }

  async function loadDetail(id: number) {
    const shown = await guard(() => client().call('models.show', { model: id }))
    if (shown && selectedId.value === id) detail.value = shown
  }

  async function select(id: number) {
    selectedId.value = id
    lastExport.value = null
    await loadDetail(id)
  }

  async function create(input: Input<'models.create'>): Promise<boolean> {
    const created = await guard(() => client().call('models.create', input))
    if (!created) return false
    lastCreated.value = created
    await refresh()
    await select(created.id)
    return true
  }

  /** Import a picked ONNX file (and its tokenizer.json): both are staged where the engine can read them. */
  async function importFiles(onnx: File, tokenizer: File | null, name: string): Promise<boolean> {
    const imported = await guard(async () => {
      const model = await client().stageFile(onnx)
      const tok = tokenizer ? await client().stageFile(tokenizer) : undefined
      return client().call('models.import', { path: model.path, ...(tok ? { tokenizer: tok.path } : {}), ...(name ? { name } : {}) })
    })
    if (!imported) return false
    await refresh()
    await select(imported.id)
    return true
  }

  /** Export the selected model (or one of its checkpoints) into a folder. */
  async function exportTo(out: string, checkpoint?: number): Promise<boolean> {
    const id = selectedId.value
    if (id === null) return false
    const result = await guard(() => client().call('models.export', checkpoint !== undefined ? { checkpoint, out } : { model: id, out }))
    if (result) lastExport.value = result
    return result !== undefined
  }

  async function remove(id: number) {
    const done = await guard(() => client().call('models.delete', { model: id }))
    if (done) await refresh()
  }

  return { list, datasets, generators, selectedId, detail, busy, lastCreated, lastExport, start, stop, refresh, select, create, importFiles, exportTo, remove }
})
