import { z } from 'zod'
import { datasetName } from './datasets'
import { method } from './define'
import { samplingSettings, type FinishReason, type SamplingSettings } from './generate'
import type { ModelKind } from './models'
import type { VoteSession } from './votes'

/**
 * Side-by-side comparison: one prompt, two to four models or checkpoints, the same sampling
 * settings; the generations stream as `compare.tokens` events, and each response is measured
 * (length, log-probability under a reference model, P(a ≻ b) under a preference model).
 */

/**
 * A model or checkpoint that can answer prompts: `model:<id>`, `checkpoint:<id>`, or a model's
 * name (or id). Preference models are named the same way (`model:<id>` or a name).
 */
export const playerRef = z.string().trim().min(1, 'name a model or checkpoint').max(300)

/** Something a comparison or a tournament can run, as pickers list it. */
export interface PlayerChoice {
  /** Canonical reference: `model:<id>` or `checkpoint:<id>`. */
  ref: string
  /** Shown in pickers and as a tournament player's label: the model's name, with `@ step N` for a checkpoint. */
  label: string
  kind: 'model' | 'checkpoint'
  model: { id: number; name: string; kind: ModelKind }
  checkpoint: { id: number; run: number; step: number } | null
  /** One line about it (architecture, or the run it comes from). */
  detail: string
}

export interface CompareChoices {
  /** Policies, imported decoders and the checkpoints of their runs. */
  players: PlayerChoice[]
  /** Preference and reward models (judges of P(a ≻ b)). */
  preferences: PlayerChoice[]
}

export interface PromptItem {
  id: number
  text: string
}

export interface CompareResponse {
  player: string
  label: string
  text: string
  /** Completion tokens (the EOS included when it was sampled). */
  tokens: number
  characters: number
  finishReason: FinishReason
  /** log π(completion | prompt) under the player itself at temperature 1 (nats). */
  logprob: number
  /** log μ(completion | prompt) under the reference model (nats); null when none was chosen or it could not score it. */
  referenceLogprob: number | null
}

export interface CompareResult {
  prompt: string
  settings: SamplingSettings
  reference: { ref: string; label: string } | null
  preference: { ref: string; label: string } | null
  responses: CompareResponse[]
  /** For each pair i < j of responses: P(responses[i] ≻ responses[j] | prompt) under the preference model. */
  pairs: { a: number; b: number; p: number }[]
  /** Things that did not stop the comparison (a reference whose context is too short, a CPU fallback). */
  warnings: string[]
  seconds: number
}

/** Streamed while a comparison runs: text added to one player's response. */
export interface CompareTokenEvent {
  request: string
  /** Index of the player in the request. */
  player: number
  /** Text added by this step (may be '' while a UTF-8 character is incomplete). */
  text: string
  done: boolean
  finishReason?: FinishReason
}

export const compareMethods = {
  'compare.choices': method<CompareChoices>()(z.object({}).strict(), 'Models and checkpoints a comparison or tournament can run, and the preference models that can judge'),
  'compare.prompts': method<PromptItem[]>()(
    z
      .object({
        dataset: datasetName,
        /** Only prompts containing this text (case-insensitive). */
        search: z.string().max(500).optional(),
        limit: z.number().int().min(1).max(1000).default(100),
      })
      .strict(),
    "A dataset's prompts, in order",
  ),
  'compare.run': method<CompareResult>()(
    z
      .object({
        prompt: z.string().min(1, 'a comparison needs a prompt').max(100_000),
        players: z.array(playerRef).min(2, 'compare at least two models').max(4, 'compare at most four models'),
        settings: samplingSettings.default(samplingSettings.parse({})),
        /** The model whose log-probability of each response is shown (typically the reference μ). */
        reference: playerRef.optional(),
        /** The preference model that gives P(a ≻ b) for each pair of responses. */
        preference: playerRef.optional(),
        /** Stream text as `compare.tokens` events tagged with this id. */
        request: z.string().min(1).max(100).optional(),
      })
      .strict(),
    'Generate one response per model to a prompt, side by side, streaming the text; measure length, reference log-prob and pairwise preference',
  ),
  'compare.vote': method<VoteSession>()(
    z
      .object({
        prompt: z.string().min(1).max(100_000),
        /** The responses of a comparison, each with the player that generated it. */
        responses: z
          .array(z.object({ player: playerRef, text: z.string().min(1, 'an empty response cannot be voted on') }))
          .min(2, 'blind voting needs two responses')
          .max(4),
        /** The sampling settings the responses were drawn with (stored with their origins). */
        settings: samplingSettings.optional(),
        /** Dataset the responses and the votes are stored in (created when missing). */
        into: datasetName.default('votes'),
        annotator: z.string().trim().min(1).max(200).default('me'),
        seed: z.number().int().default(1),
      })
      .strict(),
    "Store a comparison's responses with the models that made them, and start a blind voting session over every pair of them",
  ),
}
