import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { FinishReason, GenerateResult, GenerateTokenEvent, ModelSummary } from '../../../native/api/contract'
import { client } from '../api/client'
import { useErrorStore } from './errors'

/** One sample on screen: its text grows as tokens stream in. */
export interface PlaygroundSample {
  row: number
  text: string
  tokens: number
  done: boolean
  finishReason: FinishReason | null
  /** Mean log-probability per token once done (nats). */
  meanLogprob: number | null
}

export interface PlaygroundSettings {
  n: number
  temperature: number
  topP: number
  topK: number
  maxTokens: number
  seed: number
}

let requests = 0

/**
 * The generation playground: a model, a prompt and sampling settings; samples stream in as
 * `generate.tokens` events of this request (batched into one re-render per animation frame).
 */
export const usePlaygroundStore = defineStore('playground', () => {
  const errors = useErrorStore()
  const models = ref<ModelSummary[]>([])
  const model = ref<number | null>(null)
  const prompt = ref('Where should we go for dinner tonight?')
  const settings = ref<PlaygroundSettings>({ n: 2, temperature: 1, topP: 1, topK: 0, maxTokens: 48, seed: 0 })
  const samples = shallowRef<PlaygroundSample[]>([])
  const running = ref(false)
  const last = ref<GenerateResult | null>(null)
  let request: string | null = null
  let pending = false
  /** The samples being written; copied into `samples` once per frame (new objects, so each card re-renders). */
  let live: PlaygroundSample[] = []
  let unsubscribe: (() => void) | null = null

  async function start() {
    unsubscribe ??= client().on('generate.tokens', onToken)
    try {
      models.value = (await client().call('models.list', {})).filter((m) => m.kind === 'policy' || m.kind === 'imported')
      if (model.value === null || !models.value.some((m) => m.id === model.value)) model.value = models.value[0]?.id ?? null
    } catch (error) {
      errors.report(error)
    }
  }

  function stop() {
    unsubscribe?.()
    unsubscribe = null
  }

  function onToken(event: GenerateTokenEvent) {
    if (event.request !== request) return
    const sample = live[event.row]
    if (!sample) return
    sample.text += event.text
    sample.tokens++
    if (event.done) {
      sample.done = true
      sample.finishReason = event.finishReason ?? null
    }
    if (!pending) {
      pending = true
      const flush = () => {
        pending = false
        if (request !== null) samples.value = live.map((x) => ({ ...x }))
      }
      if (typeof requestAnimationFrame === 'function') requestAnimationFrame(flush)
      else setTimeout(flush, 16)
    }
  }

  async function generate() {
    if (model.value === null || running.value) return
    const s = settings.value
    request = `playground-${Date.now()}-${++requests}`
    live = Array.from({ length: s.n }, (_, row) => ({ row, text: '', tokens: 0, done: false, finishReason: null, meanLogprob: null }))
    samples.value = live.map((x) => ({ ...x }))
    running.value = true
    last.value = null
    try {
      const result = await client().call('generate.run', {
        model: model.value,
        prompts: [prompt.value],
        n: s.n,
        settings: { temperature: s.temperature, topP: s.topP, topK: s.topK, maxTokens: s.maxTokens, seed: s.seed },
        request,
      })
      // The final result is the source of truth; tokens still in flight on the event socket are ignored.
      request = null
      samples.value = result.completions.map((c, row) => ({
        row,
        text: c.text,
        tokens: c.tokens.length,
        done: true,
        finishReason: c.finishReason,
        meanLogprob: c.logprobs.length ? c.logprobs.reduce((a, b) => a + b, 0) / c.logprobs.length : null,
      }))
      last.value = result
    } catch (error) {
      request = null
      errors.report(error)
    } finally {
      running.value = false
    }
  }

  return { models, model, prompt, settings, samples, running, last, start, stop, generate, onToken }
})
