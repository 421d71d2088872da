import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef } from 'vue'
import type { CompareChoices, TournamentDetail, TournamentSummary } from '../../../native/api/contract'
import { client } from '../api/client'
import { useErrorStore } from './errors'

const finished = (s: TournamentSummary) => s.status === 'completed' || s.status === 'failed' || s.status === 'cancelled'

/** Tournaments: the list with live progress, the one on screen, and the form that starts one. */
export const useTournamentsStore = defineStore('tournaments', () => {
  const errors = useErrorStore()
  const list = ref<TournamentSummary[]>([])
  const selected = shallowRef<TournamentDetail | null>(null)
  const choices = shallowRef<CompareChoices>({ players: [], preferences: [] })
  const form = reactive({ players: [] as string[], judge: 'oracle', prompts: '', n: 50, maxTokens: 32, temperature: 1, name: '' })
  const starting = ref(false)
  const off: (() => void)[] = []

  const canStart = computed(() => form.players.length >= 2 && (form.judge === 'human' || form.prompts !== '') && !starting.value)

  function upsert(summary: TournamentSummary) {
    const i = list.value.findIndex((t) => t.id === summary.id)
    if (i >= 0) list.value[i] = { ...list.value[i], ...summary }
    else list.value = [summary, ...list.value]
  }

  async function start() {
    off.push(
      client().on('tournaments.changed', (summary) => {
        upsert(summary)
        if (selected.value?.id === summary.id) {
          if (finished(summary)) void select(summary.id)
          else selected.value = { ...selected.value, ...summary }
        }
      }),
      client().on('jobs.progress', (p) => {
        const t = list.value.find((x) => x.job === p.job)
        if (!t) return
        upsert({ ...t, status: 'running', progress: p })
        if (selected.value?.id === t.id) selected.value = { ...selected.value, status: 'running', progress: p }
      }),
    )
    try {
      const [tournaments, available] = await Promise.all([client().call('tournaments.list', {}), client().call('compare.choices', {})])
      list.value = tournaments
      choices.value = available
      if (form.players.length === 0) form.players = available.players.slice(0, 3).map((p) => p.ref)
      if (selected.value === null && tournaments.length > 0) await select(tournaments[0].id)
    } catch (error) {
      errors.report(error)
    }
  }

  function stop() {
    off.splice(0).forEach((f) => f())
  }

  async function select(id: number) {
    try {
      selected.value = await client().call('tournaments.show', { tournament: id })
    } catch (error) {
      errors.report(error)
    }
  }

  const order = (ref: string) => choices.value.players.findIndex((p) => p.ref === ref)

  async function run() {
    if (!canStart.value) return
    starting.value = true
    try {
      const summary = await client().call('tournaments.start', {
        name: form.name.trim() || undefined,
        // In the order the list shows them, whatever order they were ticked in.
        players: [...form.players].sort((a, b) => order(a) - order(b)),
        judge: form.judge,
        prompts: form.prompts || undefined,
        n: form.n,
        settings: { maxTokens: form.maxTokens, temperature: form.temperature },
      })
      upsert(summary)
      await select(summary.id)
    } catch (error) {
      errors.report(error)
    } finally {
      starting.value = false
    }
  }

  async function cancel(id: number) {
    try {
      upsert(await client().call('tournaments.cancel', { tournament: id }))
    } catch (error) {
      errors.report(error)
    }
  }

  async function remove(id: number) {
    try {
      await client().call('tournaments.delete', { tournament: id })
      list.value = list.value.filter((t) => t.id !== id)
      if (selected.value?.id === id) selected.value = null
    } catch (error) {
      errors.report(error)
    }
  }

  return { list, selected, choices, form, starting, canStart, start, stop, select, run, cancel, remove }
})
