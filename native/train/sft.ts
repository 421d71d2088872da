import { z } from 'zod'
import { NashlabError } from '../api/errors'
import type { Message } from '../data/formats/messages'
import type { DecoderConfig } from '../models/config'
import { buildGpt, gptParams } from '../models/gpt'
import { encodeCompletion, encodePrompt, type PromptTemplate } from '../models/tokenizer/template'
import type { Tokenizer } from '../models/tokenizer/tokenizer'
import type { Weights } from '../models/weights'
import { Rng } from '../runtime/rng'
import type { Model } from '../onnx/model'
import { tensorArray } from '../onnx/tensor'
import { addLora, mergeLora, type LoraAdapter } from './lora'
import { runTraining, int64, type TrainingHooks, type TrainingResult } from './run-training'
import { resolveTrainConfig, trainConfigFields, type TrainConfig } from './train-config'
import { type Trainer } from './trainer'

/**
 * Supervised fine-tuning: the loss of a batch is the mean, over every completion token of the
 * effective batch (prompt tokens and padding masked), of −log π(token | what precedes it). Each
 * example is `prompt (under the model's template) ⧺ completion ⧺ EOS`, right-padded to `sequence`
 * tokens; a longer one keeps the prompt's last tokens and the completion's first.
 *
 * The train step is gpt.ts's forward (SoftmaxCrossEntropyLoss with ignore_index over the targets)
 * through the autodiff's train-step program; with accumulation, micro-batches are weighted by their
 * counted tokens, so the update follows the mean over every token of the effective batch.
 */
export const sftConfigSchema = z
  .object({
    ...trainConfigFields,
    /** Tokens per row (prompt + completion + EOS), at most the model's context. Default: the longest example (a multiple of 8), at most the context. */
    sequence: z.number().int().min(2).max(8192).optional(),
    /** Which responses to imitate: the preferred one of each decisive comparison (ties: both), or every response. */
    examples: z.enum(['preferred', 'responses']).default('preferred'),
  })
  .strict()

export type SftConfigInput = z.input<typeof sftConfigSchema>

export interface SftConfig extends TrainConfig {
  sequence: number
  examples: 'preferred' | 'responses'
}

/** `longest`: the longest example in tokens, when known (else 128). */
export function resolveSftConfig(input: SftConfigInput, architecture: Pick<DecoderConfig, 'context'>, longest = 128): SftConfig {
  const parsed = sftConfigSchema.parse(input)
  const sequence = parsed.sequence ?? Math.min(architecture.context, Math.max(8, Math.ceil(longest / 8) * 8))
  if (sequence > architecture.context) {
    throw new NashlabError('invalid_input', `The SFT sequence length ${sequence} exceeds the model's context of ${architecture.context} tokens.`, { field: 'sequence' })
  }
  return { ...resolveTrainConfig(parsed), sequence, examples: parsed.examples }
}

/** A prompt and the completion to imitate. */
export interface SftExample {
  prompt: string
  completion: string
  /** A conversational prompt's messages: encoded instead of `prompt` (a chat template renders the turns). */
  promptMessages?: Message[]
}

/** Ignored targets (prompt, padding): SoftmaxCrossEntropyLoss's ignore_index. */
export const IGNORE = -100

/** An example as ids: the row and how many of its first tokens are the prompt. */
export interface SftRow {
  ids: number[]
  promptLength: number
}

/** Tokenize and fit an example into `sequence` tokens (at least one completion token stays). */
export function sftRow(tokenizer: Tokenizer, template: PromptTemplate, example: SftExample, sequence: number): SftRow {
  let prompt = encodePrompt(tokenizer, template, example.promptMessages ?? example.prompt)
  let completion = encodeCompletion(tokenizer, example.completion, true)
  if (prompt.length === 0) prompt = [tokenizer.bosId ?? tokenizer.eosId]
  if (prompt.length + completion.length > sequence) {
    const keepPrompt = Math.min(prompt.length, Math.max(Math.floor(sequence / 2), sequence - completion.length))
    prompt = prompt.slice(prompt.length - keepPrompt)
    completion = completion.slice(0, sequence - keepPrompt)
  }
  return { ids: [...prompt, ...completion], promptLength: prompt.length }
}

/** Tokens of the longest example (prompt under the template + completion + EOS), before any cut. */
export function longestExample(tokenizer: Tokenizer, template: PromptTemplate, examples: readonly SftExample[]): number {
  let longest = 1
  for (const e of examples) longest = Math.max(longest, encodePrompt(tokenizer, template, e.promptMessages ?? e.prompt).length + encodeCompletion(tokenizer, e.completion, true).length)
  return longest
}

/** Feeds of right-padded rows: input_ids and targets (next token on completion positions, IGNORE elsewhere). */
export function sftFeeds(rows: readonly SftRow[], sequence: number, padId: number) {
  const ids = new BigInt64Array(rows.length * sequence).fill(BigInt(padId))
  const targets = new BigInt64Array(rows.length * sequence).fill(BigInt(IGNORE))
  let counted = 0
  rows.forEach((row, r) => {
    row.ids.forEach((token, t) => (ids[r * sequence + t] = BigInt(token)))
    // Position t predicts token t + 1; completion tokens start at promptLength.
    for (let t = Math.max(0, row.promptLength - 1); t + 1 < row.ids.length; t++) {
      targets[r * sequence + t] = BigInt(row.ids[t + 1])
      counted++
    }
  })
  return { feeds: { input_ids: int64(ids, rows.length, sequence), targets: int64(targets, rows.length, sequence) }, weight: counted }
}

export interface SftInput {
  config: SftConfig
  runConfig: Record<string, unknown>
  architecture: DecoderConfig
  weights: Weights
  tokenizer: Tokenizer
  template: PromptTemplate
  examples: readonly SftExample[]
  checkpointRoot: string
  resumeFrom?: string
  hooks?: TrainingHooks
  /** Train rank-r LoRA adapters instead of every weight. */
  lora?: { rank: number }
}

/** Split examples into training and held-out sets (deterministic in the seed). */
export function splitHoldout<E>(examples: readonly E[], share: number, seed: number): { train: E[]; holdout: E[] } {
  const indices = Array.from({ length: examples.length }, (_, i) => i)
  // A stream of its own, so the split does not move the training order's generator.
  const rng = Rng.fromSeed(seed).jump()
  rng.shuffle(indices)
  const held = examples.length >= 10 ? Math.floor(examples.length * share) : 0
  return { holdout: indices.slice(0, held).map((i) => examples[i]), train: indices.slice(held).map((i) => examples[i]) }
}

/** Run SFT to `config.steps` (resuming from a checkpoint when given). */
/**
 * Run SFT to `config.steps` (resuming from a checkpoint when given). With `lora`, rank-r adapters on
 * the linear layers' weights are trained instead of every weight (checkpoints then hold the
 * adapters), and the result's `weights` are the base weights with the adapters merged in.
 */
export async function runSft(input: SftInput): Promise<TrainingResult> {
  const { config, architecture, tokenizer, template } = input
  const rows = input.examples.map((e) => sftRow(tokenizer, template, e, config.sequence))
  const { train, holdout } = splitHoldout(rows, config.holdout, config.seed)
  const base = buildGpt(architecture, { batch: config.microBatch, sequence: config.sequence, outputs: 'loss', weights: input.weights, ignoreIndex: IGNORE }).model
  let forward = base
  let trainable = gptParams(architecture).map((p) => ({ name: p.name, shape: p.shape, decay: p.decay }))
  let adapters: LoraAdapter[] = []
  if (input.lora) {
    const lora = addLora(base, { targets: loraTargets(architecture), rank: input.lora.rank, seed: config.seed })
    forward = lora.model
    adapters = lora.adapters
    const shapes = new Map(forward.graph.initializers.map((t) => [t.name, t.dims]))
    trainable = lora.trainable.map((name) => ({ name, shape: [...shapes.get(name)!], decay: false }))
  }
  const result = await runTraining<SftRow>({
    algorithm: 'sft',
    config,
    runConfig: input.runConfig,
    forward,
    trainable,
    examples: train,
    feeds: (batch) => sftFeeds(batch, config.sequence, tokenizer.padId),
    evaluate: holdout.length > 0 ? (trainer) => heldOutLoss(trainer, holdout, config, tokenizer.padId) : undefined,
    checkpointRoot: input.checkpointRoot,
    resumeFrom: input.resumeFrom,
    hooks: input.hooks,
  })
  if (!input.lora) return result
  return { ...result, weights: mergedWeights(architecture, mergeLora(base, adapters, result.weights)) }
}

/** The weights LoRA adapts: the linear layers' (the tied embedding is also a lookup table, so it stays as it is). */
function loraTargets(architecture: DecoderConfig): string[] {
  return gptParams(architecture).filter((p) => p.name.endsWith('.weight') && p.shape.length === 2).map((p) => p.name)
}

function mergedWeights(architecture: DecoderConfig, merged: Model): Weights {
  return new Map(gptParams(architecture).map((p) => [p.name, Float32Array.from(tensorArray(merged.graph.initializers.find((t) => t.name === p.name)!) as Float32Array)]))
}

/**
 * A LoRA checkpoint's model: the base weights with the checkpoint's adapters (`values`: each
 * adapted weight's down and up factors, as runSft saves them) merged in, W + (α/r)·down·up. The
 * adapters are laid out exactly as the run laid them out (same targets, same rank).
 */
export function mergeLoraCheckpoint(architecture: DecoderConfig, baseWeights: Weights, values: ReadonlyMap<string, Float32Array>, rank: number): Weights {
  const base = buildGpt(architecture, { batch: 1, sequence: 1, outputs: 'logits', weights: baseWeights }).model
  const { adapters } = addLora(base, { targets: loraTargets(architecture), rank })
  for (const a of adapters) {
    if (!values.has(a.down) || !values.has(a.up)) throw new NashlabError('bad_file', `The LoRA checkpoint lacks the adapters of "${a.weight}" (${a.down}, ${a.up}).`, { tensor: a.weight })
  }
  return mergedWeights(architecture, mergeLora(base, adapters, values))
}

/** Mean completion-token loss over the held-out rows (`eval/loss`), in micro-batches padded with copies. */
async function heldOutLoss(trainer: Trainer, rows: readonly SftRow[], config: SftConfig, padId: number): Promise<Record<string, number>> {
  let total = 0
  let tokens = 0
  for (let start = 0; start < rows.length; start += config.microBatch) {
    const chunk = rows.slice(start, start + config.microBatch)
    // The program's batch size is fixed: fill the chunk with rows whose targets are all ignored.
    const filler: SftRow = { ids: [padId], promptLength: 1 }
    const padded = [...chunk, ...new Array<SftRow>(config.microBatch - chunk.length).fill(filler)]
    const { feeds, weight } = sftFeeds(padded, config.sequence, padId)
    const out = await trainer.evaluate(feeds, ['loss'])
    total += Number(out.loss.data[0]) * weight
    tokens += weight
  }
  return { 'eval/loss': total / tokens }
}
