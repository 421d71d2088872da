/**
 * One side-by-side comparison as a job: every player answers the prompt at once (their sampling
 * loops interleave step by step, so the texts stream side by side), then the reference model
 * scores each response and the preference model judges each pair. Text is streamed with
 * `ctx.send` as it is sampled.
 */
import type { FinishReason, SamplingSettings } from '../api/generate'
import type { CompareTokenEvent } from '../api/compare'
import type { Policy } from '../generate/policy'
import { defineJob } from '../jobs/define'
import { encodeCompletion } from '../models/tokenizer/template'
import { loadPolicy, loadPreference, sampleOptions } from './load'
import type { PolicySpec, PreferenceSpec } from './players'

export interface CompareJobInput {
  prompt: string
  players: PolicySpec[]
  reference: PolicySpec | null
  preference: PreferenceSpec | null
  settings: SamplingSettings
}

export interface CompareJobResult {
  responses: { text: string; tokens: number; finishReason: FinishReason; logprob: number }[]
  /** log μ(response | prompt) under the reference, per response (null where it could not score it). */
  referenceLogprobs: (number | null)[] | null
  pairs: { a: number; b: number; p: number }[]
  warnings: string[]
}

/** What the job streams: a text delta of one player (the service adds the request id). */
export type CompareJobData = Omit<CompareTokenEvent, 'request'>

export default defineJob(async (input: CompareJobInput, ctx): Promise<CompareJobResult> => {
  const warnings: string[] = []
  const warn = (message: string) => {
    warnings.push(message)
    ctx.warn(message)
  }
  const loaded: Policy[] = []
  try {
    for (const spec of input.players) loaded.push(await loadPolicy(spec, { warn }))
    const options = sampleOptions(input.settings)
    const completions = await Promise.all(
      loaded.map(async (policy, player) => {
        const [completion] = await policy.sample([input.prompt], {
          ...options,
          check: () => ctx.check(),
          onToken: (e) => ctx.send({ player, text: e.text, done: e.done, ...(e.finishReason ? { finishReason: e.finishReason } : {}) } satisfies CompareJobData),
        })
        return completion
      }),
    )
    const responses = completions.map((c) => ({ text: c.text, tokens: c.tokens.length, finishReason: c.finishReason, logprob: c.logprobs.reduce((s, v) => s + v, 0) }))

    let referenceLogprobs: (number | null)[] | null = null
    if (input.reference) {
      ctx.check()
      const reference = input.reference
      const same = input.players.findIndex((p) => p.ref === reference.ref)
      const policy = same >= 0 ? loaded[same] : await loadPolicy(reference, { warn })
      if (same < 0) loaded.push(policy)
      referenceLogprobs = []
      for (const [i, c] of completions.entries()) {
        // Sampled ids are scored as they are when the tokenizers agree; otherwise the text is re-encoded.
        const ids = input.players[i].tokenizerDir === reference.tokenizerDir ? c.tokens : encodeCompletion(policy.tokenizer, c.text, c.finishReason === 'eos')
        try {
          const [scored] = await policy.logProbs([input.prompt], [ids])
          referenceLogprobs.push(scored.total)
        } catch (error) {
          warn(`The reference ${reference.label} could not score the response of ${input.players[i].label}: ${(error as Error).message}`)
          referenceLogprobs.push(null)
        }
      }
    }

    const pairs: CompareJobResult['pairs'] = []
    if (input.preference) {
      ctx.check()
      const model = await loadPreference(input.preference, { warn })
      try {
        const wanted: { a: number; b: number }[] = []
        for (let a = 0; a < responses.length; a++) for (let b = a + 1; b < responses.length; b++) wanted.push({ a, b })
        const p = await model.scoreBatch(wanted.map(({ a, b }) => ({ prompt: input.prompt, a: responses[a].text, b: responses[b].text })))
        wanted.forEach((w, i) => pairs.push({ ...w, p: p[i] }))
      } catch (error) {
        warn(`The preference model ${input.preference.label} could not judge these responses: ${(error as Error).message}`)
      } finally {
        await model.release()
      }
    }
    return { responses, referenceLogprobs, pairs, warnings }
  } finally {
    for (const policy of loaded) await policy.release()
  }
})
