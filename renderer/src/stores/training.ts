import { defineStore } from 'pinia'
import { computed, ref, shallowRef, triggerRef } from 'vue'
import type { MetricSeries, RunMetricsEvent, RunSummary } from '../../../native/api/contract'
import { client } from '../api/client'
import { useErrorStore } from './errors'

/**
 * The training dashboard: runs, the selected (overlaid) runs' metric series, chart settings.
 * Series live in a shallowRef and pushed steps are appended in batches (at most every 250 ms), so a
 * fast run does not re-render per step.
 */
export const useTrainingStore = defineStore('training', () => {
  const errors = useErrorStore()
  const runs = ref<RunSummary[]>([])
  const selected = ref<number[]>([])
  /** run → metric name → series */
  const series = shallowRef(new Map<number, Map<string, MetricSeries>>())
  const smoothing = ref(0.6)
  const logScale = ref(false)
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
      return
    }
    selected.value = [...selected.value, run]
    await load(run)
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
        client().on('runs.status', () => void refreshRuns()),
      )
    }
    await refreshRuns()
  }

  function stop() {
    for (const off of unsubscribe.splice(0)) off()
    if (flushTimer) clearTimeout(flushTimer)
    flushTimer = null
  }

  function lines(metric: string) {
    return selected.value
      .map((run) => {
        const s = series.value.get(run)?.get(metric)
        const summary = runs.value.find((r) => r.id === run)
        return s ? { label: `run ${run}${summary ? ` · ${summary.algorithm}` : ''}`, steps: s.steps, values: s.values } : null
      })
      .filter((l): l is NonNullable<typeof l> => l !== null)
  }

  return { runs, selected, series, smoothing, logScale, metricNames, start, stop, toggle, lines, refreshRuns, flush }
})

/** Headline metrics first, then the rest alphabetically. */
const headline = ['loss', 'rewards/probabilities', 'kl', 'loss/kl', 'loss/score', 'win_rate/reference', 'grad_norm', 'learning_rate']
function metricOrder(a: string, b: string): number {
  const ia = headline.indexOf(a)
  const ib = headline.indexOf(b)
  if (ia !== -1 || ib !== -1) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib)
  return a.localeCompare(b)
}
