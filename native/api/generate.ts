import { z } from 'zod'
import { method } from './define'
import { modelRef } from './models'

/**
 * Sampling settings. The defaults (temperature 1, no truncation) sample the model's own
 * distribution: the only setting under which Nash-MD-PG's gradient estimate is unbiased.
 */
export const samplingSettings = z
  .object({
    /** Divides the logits; 0 is greedy (the most likely token). 0–10. */
    temperature: z.number().min(0).max(10).default(1),
    /** Keep only the k most likely tokens (0 = all). */
    topK: z.number().int().min(0).default(0),
    /** Keep the smallest set of tokens whose probability reaches p (1 = all). (0, 1]. */
    topP: z.number().gt(0).max(1).default(1),
    /** Drop tokens less likely than minP × the most likely one (0 = none). [0, 1]. */
    minP: z.number().min(0).max(1).default(0),
    /** Tokens to generate at most per completion. */
    maxTokens: z.number().int().min(1).max(8192).default(64),
    /** Same seed, same settings, same model: the same completions. */
    seed: z.number().int().min(0).default(0),
    /** Stop a completion at the tokenizer's end-of-sequence token (kept as its last token). */
    stopAtEos: z.boolean().default(true),
  })
  .strict()

export type SamplingSettings = z.output<typeof samplingSettings>

export type FinishReason = 'eos' | 'length' | 'context'

export interface Completion {
  /** Index of the prompt in the request. */
  prompt: number
  /** Which of the `n` samples of that prompt. */
  sample: number
  text: string
  tokens: number[]
  /** log π(token | context) of each token under the model at temperature 1 (nats). */
  logprobs: number[]
  finishReason: FinishReason
}

export interface GenerateResult {
  model: { id: number; name: string }
  completions: Completion[]
  settings: SamplingSettings
  /** Tokens generated in all, and the wall time of the sampling loop. */
  tokens: number
  seconds: number
}

/** Streamed while a request runs: one new token of one completion. */
export interface GenerateTokenEvent {
  /** The caller's request id. */
  request: string
  /** Row of the batch: prompt · n + sample. */
  row: number
  token: number
  /** Text added to the completion by this token (may be '' while a UTF-8 character is incomplete). */
  text: string
  done: boolean
  finishReason?: FinishReason
}

export const generateMethods = {
  'generate.run': method<GenerateResult>()(
    z
      .object({
        model: modelRef,
        prompts: z.array(z.string()).min(1).max(256),
        /** Samples per prompt. */
        n: z.number().int().min(1).max(64).default(1),
        settings: samplingSettings.default(samplingSettings.parse({})),
        /** Stream tokens as `generate.tokens` events tagged with this id. */
        request: z.string().min(1).max(100).optional(),
        /** Store the completions in the generations table. */
        save: z.boolean().default(false),
      })
      .strict(),
    'Sample completions of prompts from a model (batched, with a KV cache), optionally streaming tokens',
  ),
}
