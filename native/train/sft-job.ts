/**
 * An SFT run as a job: reads the model's weights and tokenizer, trains (native/train/sft.ts), and
 * sends each step's metrics and each checkpoint to the engine over the job's channel; the engine
 * records them on the run. Pausing and cancelling act between steps; a cancelled run can be
 * resumed exactly from its last checkpoint.
 */
import { defineJob } from '../jobs/define'
import type { DecoderConfig } from '../models/config'
import { loadTokenizer } from '../models/tokenizer/files'
import type { PromptTemplate } from '../models/tokenizer/template'
import { readWeights } from '../models/weights-file'
import { ChannelSender } from './channel'
import { runSft, type SftConfig, type SftExample } from './sft'
import { trainingHooks } from './job-hooks'

export interface SftJobInput {
  architecture: DecoderConfig
  /** Checkpoint folder of the starting weights. */
  weightsFolder: string
  tokenizerFolder: string
  template: PromptTemplate
  examples: SftExample[]
  config: SftConfig
  runConfig: Record<string, unknown>
  checkpointRoot: string
  resumeFrom?: string
  channel: string
}

export interface TrainJobResult {
  steps: number
  checkpoint: string
  metrics: Record<string, number>
  messages: number
}

export default defineJob(async (input: SftJobInput, ctx): Promise<TrainJobResult> => {
  const sender = new ChannelSender(input.channel)
  try {
    const result = await runSft({
      config: input.config,
      runConfig: input.runConfig,
      architecture: input.architecture,
      weights: readWeights(input.weightsFolder),
      tokenizer: loadTokenizer(input.tokenizerFolder).tokenizer,
      template: input.template,
      examples: input.examples,
      checkpointRoot: input.checkpointRoot,
      resumeFrom: input.resumeFrom,
      hooks: trainingHooks(ctx, sender),
    })
    return { steps: result.steps, checkpoint: result.checkpoint, metrics: result.metrics, messages: sender.sent }
  } finally {
    sender.close()
  }
})
