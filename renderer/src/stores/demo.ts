import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { DemoStatus } from '../../../native/api/contract'
import { client } from '../api/client'
import { useErrorStore } from './errors'

/** The embedded demo: its stages with live progress, starting and cancelling it, and its newest report. */
export const useDemoStore = defineStore('demo', () => {
  const errors = useErrorStore()
  const status = shallowRef<DemoStatus | null>(null)
  const reportHtml = ref<string | null>(null)
  const busy = ref(false)
  const off: (() => void)[] = []

  const running = computed(() => status.value?.state === 'running')
  /** The report page on the engine's web server (web mode only; Electron shows it inline). */
  const reportUrl = computed(() => (client().transport === 'web' && status.value?.report ? '/demo/report.html' : null))

  async function loadReport() {
    try {
      reportHtml.value = (await client().call('demo.report', {})).html
    } catch (error) {
      errors.report(error)
    }
  }

  async function start() {
    off.push(
      client().on('demo.changed', (s) => {
        const wasRunning = status.value?.state === 'running'
        status.value = s
        // A finished demo has a new report.
        if (wasRunning && s.state !== 'running') void loadReport()
      }),
    )
    try {
      status.value = await client().call('demo.status', {})
      if (status.value.report) await loadReport()
    } catch (error) {
      errors.report(error)
    }
  }

  function stop() {
    off.splice(0).forEach((f) => f())
  }

  async function run(mode: 'quick' | 'full') {
    busy.value = true
    try {
      status.value = await client().call('demo.run', { mode })
    } catch (error) {
      errors.report(error)
    } finally {
      busy.value = false
    }
  }

  async function cancel() {
    busy.value = true
    try {
      status.value = await client().call('demo.cancel', {})
    } catch (error) {
      errors.report(error)
    } finally {
      busy.value = false
    }
  }

  return { status, reportHtml, busy, running, reportUrl, start, stop, run, cancel }
})
