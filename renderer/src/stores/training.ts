import { defineStore } from 'pinia'
import { computed, ref, shallowRef, triggerRef } from 'vue'
import type {
  CheckpointSummary,
  ConfigField,
  DatasetSummary,
  Input,
  MetricSeries,
  ModelSummary,
  RunMetricsEvent,
  RunOptions,
  RunSample,
  RunSummary,
} from '../../../native/api/contract'
import { client } from '../api/client'
import { useErrorStore } from './errors'

/** What the run form edits: field name → value (absent or '' = the default). */
export type RunDraft = Record<string, unknown>

/** The focused run's details shown beside the charts. */
export interface RunFocus {
  run: number
  checkpoints: CheckpointSummary[]
  /** The model the run produced, once it completed. */
  model: ModelSummary | null
}

/**
 * The training dashboard: runs, the selected (overlaid) runs' metric series, chart settings, the run
 * form (fields from runs.options, models and datasets to choose from), sample completions and
 * checkpoints of the focused run. Series live in a shallowRef and pushed steps are appended in
 * batches (at most every 250 ms), so a fast run does not re-render per step.
 */
export const useTrainingStore = defineStore('training', () => {
  const errors = useErrorStore()
  const runs = ref<RunSummary[]>([])
  const selected = ref<number[]>([])
  /** run → metric name → series */
  const series = shallowRef(new Map<number, Map<string, MetricSeries>>())
  const smoothing = ref(0.6)
  const logScale = ref(false)
  const options = ref<RunOptions | null>(null)
  const models = ref<ModelSummary[]>([])
  const datasets = ref<DatasetSummary[]>([])
  /** The run whose samples and checkpoints are shown: the last one selected. */
  const focused = computed(() => selected.value.at(-1) ?? null)
  const samples = ref<RunSample[]>([])
  const focus = ref<RunFocus | null>(null)
  /** The form's values; null while the form is closed. */
  const draft = ref<RunDraft | null>(null)
  /** Why the last start was refused: a sentence, and the field it names. */
  const formError = ref<{ message: string; field: string | null } | null>(null)
  let pending: RunMetricsEvent[] = []
  let flushTimer: ReturnType<typeof setTimeout> | null = null
  const unsubscribe: (() => void)[] = []

  const metricNames = computed(() => {
    const names = new Set<string>()
    for (const run of selected.value) for (const name of series.value.get(run)?.keys() ?? []) names.add(name)
    return [...names].sort(metricOrder)
  })

  async function refreshRuns() {
    try {
      runs.value = await client().call('runs.list', {})
      if (selected.value.length === 0 && runs.value.length > 0) await toggle(runs.value[0].id)
    } catch (error) {
      errors.report(error)
    }
  }

  async function load(run: number) {
    try {
      const list = await client().call('runs.metrics', { run })
      series.value.set(run, new Map(list.map((s) => [s.name, s])))
      triggerRef(series)
    } catch (error) {
      errors.report(error)
    }
  }

  async function toggle(run: number) {
    if (selected.value.includes(run)) {
      selected.value = selected.value.filter((r) => r !== run)
    } else {
      selected.value = [...selected.value, run]
      await load(run)
    }
    await refreshFocus()
  }

  /** Samples, checkpoints and the trained model of the focused run. */
  async function refreshFocus() {
    const run = focused.value
    if (run === null) {
      samples.value = []
      focus.value = null
      return
    }
    try {
      const [detail, drawn, list] = await Promise.all([client().call('runs.show', { run }), client().call('runs.samples', { run }), client().call('models.list', {})])
      if (focused.value !== run) return
      samples.value = drawn
      models.value = list
      focus.value = { run, checkpoints: detail.checkpoints, model: list.find((m) => m.run?.id === run) ?? null }
    } catch (error) {
      errors.report(error)
    }
  }

  function flush() {
    flushTimer = null
    const map = series.value
    for (const event of pending) {
      const metrics = map.get(event.run)
      if (!metrics) continue
      for (const [name, value] of Object.entries(event.values)) {
        let s = metrics.get(name)
        if (!s) metrics.set(name, (s = { name, steps: [], values: [] }))
        const last = s.steps.length - 1
        if (last >= 0 && s.steps[last] === event.step) s.values[last] = value
        else if (last < 0 || s.steps[last] < event.step) {
          s.steps.push(event.step)
          s.values.push(value)
        }
      }
      const run = runs.value.find((r) => r.id === event.run)
      if (run) run.lastStep = Math.max(run.lastStep ?? -1, event.step)
    }
    pending = []
    triggerRef(series)
  }

  async function start() {
    if (unsubscribe.length === 0) {
      unsubscribe.push(
        client().on('runs.metrics', (event) => {
          pending.push(event)
          flushTimer ??= setTimeout(flush, 250)
        }),
        client().on('runs.status', (event) => {
          void refreshRuns()
          if (event.run === focused.value) void refreshFocus()
        }),
        client().on('runs.samples', (event) => {
          if (event.run !== focused.value) return
          const at = new Date().toISOString()
          samples.value = [...samples.value.filter((s) => s.step !== event.step), ...event.samples.map((s) => ({ step: event.step, prompt: s.prompt, completion: s.completion, createdAt: at }))]
          void refreshFocus()
        }),
      )
    }
    await refreshRuns()
    await refreshFocus()
  }

  function stop() {
    for (const off of unsubscribe.splice(0)) off()
    if (flushTimer) clearTimeout(flushTimer)
    flushTimer = null
  }

  function lines(metric: string) {
    return selected.value
      .map((run, colour) => {
        const s = series.value.get(run)?.get(metric)
        const summary = runs.value.find((r) => r.id === run)
        return s ? { label: `run ${run}${summary ? ` · ${summary.algorithm}` : ''}`, steps: s.steps, values: s.values, colour } : null
      })
      .filter((l): l is NonNullable<typeof l> => l !== null)
  }

  /** Seconds left for a running run, from its mean step time over the last steps (null when unknown). */
  function eta(run: RunSummary): number | null {
    const time = series.value.get(run.id)?.get('time/step')
    if (!time || time.values.length === 0 || run.totalSteps === null || run.lastStep === null) return null
    const recent = time.values.slice(-10)
    return (recent.reduce((a, b) => a + b, 0) / recent.length) * Math.max(0, run.totalSteps - run.lastStep)
  }

  // The run form

  async function openForm(from: RunDraft = {}) {
    try {
      const [o, m, d] = await Promise.all([options.value ? Promise.resolve(options.value) : client().call('runs.options', {}), client().call('models.list', {}), client().call('datasets.list', {})])
      options.value = o
      models.value = m
      datasets.value = d
      formError.value = null
      draft.value = { ...defaults(o.fields), ...from }
    } catch (error) {
      errors.report(error)
    }
  }

  function setField(name: string, value: unknown) {
    if (draft.value) draft.value = { ...draft.value, [name]: value }
  }

  function closeForm() {
    draft.value = null
    formError.value = null
  }

  /** Open the form filled with a run's config (models named by id), to start a new run from it. */
  async function newFrom(run: number) {
    try {
      const detail = await client().call('runs.show', { run })
      const copy: RunDraft = {}
      // Models come back as {id, name, kind}; the oracle eval judge as {kind: 'oracle'}, named by its name.
      const ref = (value: { id: number; name: string; kind: string }) => (value.kind === 'oracle' ? value.name : value.id)
      for (const [name, value] of Object.entries(detail.config)) copy[name] = value !== null && typeof value === 'object' && 'id' in value && !Array.isArray(value) ? ref(value as { id: number; name: string; kind: string }) : value
      await openForm(copy)
    } catch (error) {
      errors.report(error)
    }
  }

  /** Start the run the form describes; resolves with it, or with null when the engine refused (formError says why). */
  async function startRun(): Promise<RunSummary | null> {
    if (!draft.value || !options.value) return null
    const problem = validate(options.value.fields, draft.value)
    if (problem) {
      formError.value = problem
      return null
    }
    try {
      const run = await client().call('runs.start', toConfig(options.value.fields, draft.value) as Input<'runs.start'>)
      closeForm()
      await refreshRuns()
      if (!selected.value.includes(run.id)) await toggle(run.id)
      return run
    } catch (error) {
      const details = (error as { details?: { field?: string; issues?: { field: string }[] } }).details
      formError.value = { message: error instanceof Error ? error.message : String(error), field: details?.field ?? details?.issues?.[0]?.field ?? null }
      return null
    }
  }

  async function act(method: 'runs.pause' | 'runs.resume' | 'runs.cancel', run: number) {
    try {
      await client().call(method, { run })
      await refreshRuns()
      if (run === focused.value) await refreshFocus()
    } catch (error) {
      errors.report(error)
    }
  }

  return {
    runs,
    selected,
    series,
    smoothing,
    logScale,
    metricNames,
    options,
    models,
    datasets,
    focused,
    samples,
    focus,
    draft,
    formError,
    start,
    stop,
    toggle,
    lines,
    eta,
    refreshRuns,
    refreshFocus,
    flush,
    openForm,
    closeForm,
    setField,
    newFrom,
    startRun,
    pause: (run: number) => act('runs.pause', run),
    resume: (run: number) => act('runs.resume', run),
    cancel: (run: number) => act('runs.cancel', run),
  }
})

/** The form's starting values: every field's default. */
export function defaults(fields: readonly ConfigField[]): RunDraft {
  return Object.fromEntries(fields.filter((f) => f.default !== undefined).map((f) => [f.name, f.default]))
}

/** The config to send: empty optional fields left out (the engine fills their defaults). */
export function toConfig(fields: readonly ConfigField[], draft: RunDraft): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    const v = draft[f.name]
    if (v === undefined || v === null || v === '') continue
    if (f.algorithms && !f.algorithms.includes((draft.algorithm ?? 'nash-md-pg') as never)) continue
    out[f.name] = v
  }
  return out
}

/** The first problem the engine would refuse, found before asking it: a sentence and its field. */
export function validate(fields: readonly ConfigField[], draft: RunDraft): { message: string; field: string } | null {
  for (const f of fields) {
    const v = draft[f.name]
    const empty = v === undefined || v === null || v === ''
    if (empty) {
      if (f.required) return { message: `Choose ${f.name === 'dataset' ? 'a dataset' : `the ${f.name} model`}: ${f.help}.`, field: f.name }
      continue
    }
    if (f.kind === 'number' || f.kind === 'integer') {
      const n = Number(v)
      if (!Number.isFinite(n)) return { message: `${f.name} must be a number.`, field: f.name }
      if (f.kind === 'integer' && !Number.isInteger(n)) return { message: `${f.name} must be a whole number.`, field: f.name }
      if (f.minimum !== undefined && n < f.minimum) return { message: `${f.name} must be at least ${f.minimum}.`, field: f.name }
      if (f.maximum !== undefined && (f.exclusiveMaximum ? n >= f.maximum : n > f.maximum)) return { message: `${f.name} must be ${f.exclusiveMaximum ? 'below' : 'at most'} ${f.maximum}.`, field: f.name }
    }
  }
  return null
}

/** Headline metrics first, then the rest alphabetically. */
const headline = ['loss', 'rewards/probabilities', 'rewards/mean', 'eval/win_rate', 'objective/kl', 'loss/score', 'loss/kl', 'grad_norm', 'learning_rate', 'beta', 'tau']
function metricOrder(a: string, b: string): number {
  const ia = headline.indexOf(a)
  const ib = headline.indexOf(b)
  if (ia !== -1 || ib !== -1) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib)
  return a.localeCompare(b)
}
