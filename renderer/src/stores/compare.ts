import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef } from 'vue'
import type { CompareChoices, CompareResult, PromptItem, VoteSession } from '../../../native/api/contract'
import type { FinishReason, SamplingSettings } from '../../../native/api/generate'
import { client } from '../api/client'
import { useErrorStore } from './errors'

/** One response as it streams in. */
export interface LiveResponse {
  text: string
  done: boolean
  finishReason: FinishReason | null
}

let requests = 0

/**
 * The side-by-side comparison: what can be compared, the prompt and players picked, the
 * generations streaming in, and the measured result; "vote blind on these" hands the responses
 * to a voting session.
 */
export const useCompareStore = defineStore('compare', () => {
  const errors = useErrorStore()
  const choices = shallowRef<CompareChoices>({ players: [], preferences: [] })
  const prompts = shallowRef<PromptItem[]>([])
  const prompt = ref('')
  const players = ref<string[]>([])
  const reference = ref('')
  const preference = ref('')
  const settings = reactive<Pick<SamplingSettings, 'temperature' | 'topK' | 'topP' | 'maxTokens' | 'seed'>>({ temperature: 1, topK: 0, topP: 1, maxTokens: 48, seed: 0 })
  const live = ref<LiveResponse[]>([])
  const result = shallowRef<CompareResult | null>(null)
  const running = ref(false)
  let unsubscribe: (() => void) | null = null
  let request: string | null = null

  const canRun = computed(() => prompt.value.trim().length > 0 && players.value.length >= 2 && players.value.every(Boolean) && !running.value)

  async function load() {
    try {
      choices.value = await client().call('compare.choices', {})
      const refs = choices.value.players.map((p) => p.ref)
      if (players.value.length === 0) players.value = refs.slice(0, 2)
      if (!reference.value && refs.length > 0) reference.value = players.value[0] ?? ''
      if (!preference.value && choices.value.preferences.length > 0) preference.value = choices.value.preferences[0].ref
    } catch (error) {
      errors.report(error)
    }
  }

  async function loadPrompts(dataset: string, search?: string) {
    try {
      prompts.value = dataset ? await client().call('compare.prompts', { dataset, search: search || undefined, limit: 200 }) : []
    } catch (error) {
      errors.report(error)
    }
  }

  function addPlayer() {
    if (players.value.length >= 4) return
    const unused = choices.value.players.find((p) => !players.value.includes(p.ref))
    players.value = [...players.value, unused?.ref ?? '']
  }

  function removePlayer(index: number) {
    if (players.value.length <= 2) return
    players.value = players.value.filter((_, i) => i !== index)
  }

  /** Generate side by side; text arrives as `compare.tokens` events tagged with this request. */
  async function run() {
    if (!canRun.value) return
    running.value = true
    result.value = null
    request = `compare-${Date.now()}-${++requests}`
    live.value = players.value.map(() => ({ text: '', done: false, finishReason: null }))
    unsubscribe?.()
    unsubscribe = client().on('compare.tokens', (e) => {
      if (e.request !== request) return
      const slot = live.value[e.player]
      if (!slot) return
      slot.text += e.text
      if (e.done) {
        slot.done = true
        slot.finishReason = e.finishReason ?? null
      }
    })
    try {
      result.value = await client().call('compare.run', {
        prompt: prompt.value,
        players: players.value,
        reference: reference.value || undefined,
        preference: preference.value || undefined,
        request,
        settings: { ...settings },
      })
      // The finished texts are authoritative (streamed deltas may end mid-character).
      live.value = result.value.responses.map((r) => ({ text: r.text, done: true, finishReason: r.finishReason }))
    } catch (error) {
      errors.report(error)
    } finally {
      running.value = false
      unsubscribe?.()
      unsubscribe = null
    }
  }

  /** Store the responses with their models and open a blind voting session over their pairs. */
  async function voteBlind(into: string, annotator: string): Promise<VoteSession | null> {
    const r = result.value
    if (!r) return null
    try {
      return await client().call('compare.vote', {
        prompt: r.prompt,
        responses: r.responses.filter((x) => x.text.length > 0).map((x) => ({ player: x.player, text: x.text })),
        settings: r.settings,
        into,
        annotator,
        seed: Math.floor(Math.random() * 2 ** 31),
      })
    } catch (error) {
      errors.report(error)
      return null
    }
  }

  return { choices, prompts, prompt, players, reference, preference, settings, live, result, running, canRun, load, loadPrompts, addPlayer, removePlayer, run, voteBlind }
})
