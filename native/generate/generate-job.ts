/**
 * Generation as a job: open the model in the worker, sample the prompts (batched, KV cache) and
 * stream each token to the engine over the job's channel (`token` messages), so the UI can show
 * text as it is written. Pause and cancel act between sampling steps.
 */
import type { Completion, SamplingSettings } from '../api/generate'
import { defineJob } from '../jobs/define'
import type { ModelManifest } from '../models/manifest'
import { openPolicy } from '../models/open'
import type { ProviderChoice } from '../api/devices'
import { ChannelSender } from '../train/channel'

export interface GenerateJobInput {
  manifest: ModelManifest
  dataDir: string
  /** Sample from this checkpoint's weights instead of the model's own. */
  weightsFolder?: string
  prompts: string[]
  n: number
  settings: SamplingSettings
  /** Channel name for streamed tokens; none: no streaming. */
  channel?: string
  provider?: ProviderChoice
  threads?: number
}

export interface GenerateJobResult {
  completions: Completion[]
  tokens: number
  seconds: number
  warnings: string[]
  /** Messages sent on the channel (the engine waits for them all). */
  messages: number
}

export default defineJob(async (input: GenerateJobInput, ctx): Promise<GenerateJobResult> => {
  const sender = input.channel ? new ChannelSender(input.channel) : undefined
  const policy = await openPolicy(input.manifest, input.dataDir, { weightsFolder: input.weightsFolder, session: { provider: input.provider, intraOpNumThreads: input.threads } })
  for (const warning of policy.runner.warnings) ctx.warn(warning)
  const total = input.prompts.length * input.n * input.settings.maxTokens
  let done = 0
  ctx.progress({ done: 0, total, unit: 'tokens' })
  const started = performance.now()
  try {
    const completions = await policy.sample(input.prompts, {
      n: input.n,
      settings: input.settings,
      maxTokens: input.settings.maxTokens,
      seed: input.settings.seed,
      stopAtEos: input.settings.stopAtEos,
      check: () => ctx.check(),
      onToken: (event) => {
        done++
        sender?.post({ type: 'token', ...event })
        ctx.progress({ done })
      },
    })
    const seconds = (performance.now() - started) / 1000
    ctx.progress({ done: total })
    return { completions, tokens: completions.reduce((n, c) => n + c.tokens.length, 0), seconds, warnings: policy.runner.warnings, messages: sender?.sent ?? 0 }
  } finally {
    await policy.release()
    sender?.close()
  }
})
