/**
 * A preference-model or reward-model run as a job (see sft-job.ts for how it reports).
 */
import { defineJob } from '../jobs/define'
import type { PreferenceEvaluation } from '../models/manifest'
import type { PreferenceConfig } from '../models/preference-config'
import { loadTokenizer } from '../models/tokenizer/files'
import type { PromptTemplate } from '../models/tokenizer/template'
import { readWeights } from '../models/weights-file'
import { initPreferenceWeights } from '../models/preference'
import { ChannelSender } from './channel'
import { trainingHooks } from './job-hooks'
import { runPreferenceTraining, type Judgement, type PreferenceTrainConfig } from './preference'
import type { TrainJobResult } from './sft-job'

export interface PreferenceJobInput {
  model: PreferenceConfig
  /** Start the trunk from these weights (a policy's checkpoint folder); else fresh weights from the seed. */
  weightsFolder?: string
  tokenizerFolder: string
  template: PromptTemplate
  judgements: Judgement[]
  config: PreferenceTrainConfig
  runConfig: Record<string, unknown>
  checkpointRoot: string
  resumeFrom?: string
  channel: string
}

export interface PreferenceJobResult extends TrainJobResult {
  evaluation: PreferenceEvaluation | null
  trainPairs: number
  heldOutPairs: number
}

export default defineJob(async (input: PreferenceJobInput, ctx): Promise<PreferenceJobResult> => {
  const sender = new ChannelSender(input.channel)
  try {
    const weights = initPreferenceWeights(input.model, input.config.seed)
    if (input.weightsFolder) for (const [name, data] of readWeights(input.weightsFolder)) if (weights.has(name)) weights.set(name, data)
    const result = await runPreferenceTraining({
      model: input.model,
      config: input.config,
      runConfig: input.runConfig,
      weights,
      tokenizer: loadTokenizer(input.tokenizerFolder).tokenizer,
      template: input.template,
      judgements: input.judgements,
      checkpointRoot: input.checkpointRoot,
      resumeFrom: input.resumeFrom,
      hooks: trainingHooks(ctx, sender),
    })
    return { steps: result.steps, checkpoint: result.checkpoint, metrics: result.metrics, messages: sender.sent, evaluation: result.evaluation, trainPairs: result.trainPairs, heldOutPairs: result.heldOutPairs }
  } finally {
    sender.close()
  }
})
