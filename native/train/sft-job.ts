/**
 * An SFT run as a job: reads the model's weights (or its ONNX graph) and tokenizer, trains
 * (native/train/sft.ts, or graph-sft.ts for an imported decoder), and sends each step's metrics and
 * each checkpoint to the engine over the job's channel; the engine records them on the run.
 * Pausing and cancelling act between steps; a cancelled run can be resumed exactly from its last
 * checkpoint. What the run produced comes back in `produced`: a weights folder (Nashlab's own
 * decoders) or an ONNX file (imported decoders).
 */
import path from 'node:path'
import type { DecoderIo } from '../generate/decoder-session'
import { defineJob } from '../jobs/define'
import type { DecoderConfig } from '../models/config'
import { loadTokenizer } from '../models/tokenizer/files'
import type { PromptTemplate } from '../models/tokenizer/template'
import { weightShapes, weightSpecs } from '../models/weights'
import { readWeights, writeWeights } from '../models/weights-file'
import { ChannelSender } from './channel'
import { runGraphSft } from './graph-sft'
import { trainingHooks } from './job-hooks'
import { runSft, type SftConfig, type SftExample } from './sft'

export interface SftJobInput {
  /** Nashlab's decoder (architecture + weights folder) or an imported graph. */
  model: { kind: 'native'; architecture: DecoderConfig; weightsFolder: string } | { kind: 'graph'; onnx: string; io: DecoderIo }
  /** Train every weight, or rank-`rank` LoRA adapters. */
  adapter: 'full' | 'lora'
  rank: number
  tokenizerFolder: string
  template: PromptTemplate
  examples: SftExample[]
  config: SftConfig
  runConfig: Record<string, unknown>
  /** The run's folder: checkpoints/ and what the run produces go under it. */
  runFolder: string
  resumeFrom?: string
  channel: string
}

export interface TrainJobResult {
  steps: number
  checkpoint: string
  metrics: Record<string, number>
  messages: number
  /** A weights folder other than the final checkpoint (merged LoRA), or an ONNX file (an imported decoder). */
  produced?: { weightsFolder?: string; onnx?: string }
}

export default defineJob(async (input: SftJobInput, ctx): Promise<TrainJobResult> => {
  const sender = new ChannelSender(input.channel)
  try {
    const tokenizer = loadTokenizer(input.tokenizerFolder).tokenizer
    const common = {
      config: input.config,
      runConfig: input.runConfig,
      tokenizer,
      template: input.template,
      examples: input.examples,
      checkpointRoot: path.join(input.runFolder, 'checkpoints'),
      resumeFrom: input.resumeFrom,
      hooks: trainingHooks(ctx, sender),
    }
    if (input.model.kind === 'graph') {
      const out = path.join(input.runFolder, 'model.onnx')
      const result = await runGraphSft({ ...common, onnx: input.model.onnx, io: input.model.io, options: { adapter: input.adapter, rank: input.rank }, out })
      return { steps: result.steps, checkpoint: result.checkpoint, metrics: result.metrics, messages: sender.sent, produced: { onnx: out } }
    }
    const { architecture } = input.model
    const result = await runSft({ ...common, architecture, weights: readWeights(input.model.weightsFolder), ...(input.adapter === 'lora' ? { lora: { rank: input.rank } } : {}) })
    // LoRA checkpoints hold the adapters; the model keeps the merged weights beside them.
    const produced = input.adapter === 'lora' ? { weightsFolder: writeWeights(path.join(input.runFolder, 'merged'), result.weights, weightShapes(weightSpecs(architecture)), result.steps, { merged: 'lora' }) } : undefined
    return { steps: result.steps, checkpoint: result.checkpoint, metrics: result.metrics, messages: sender.sent, ...(produced ? { produced } : {}) }
  } finally {
    sender.close()
  }
})
