import { NashlabError } from '../api/errors'
import type { DecoderIo } from '../generate/decoder-session'
import { MAX_INLINE_BYTES } from '../models/export'
import type { PromptTemplate } from '../models/tokenizer/template'
import type { Tokenizer } from '../models/tokenizer/tokenizer'
import { GraphBuilder } from '../onnx/builder'
import { DataType } from '../onnx/dtype'
import { loadModel, saveModel } from '../onnx/external'
import { defaultOpset, type Dim, type Model } from '../onnx/model'
import { tensorArray } from '../onnx/tensor'
import { ort } from '../runtime/ort'
import { addLora, mergeLora, type LoraAdapter } from './lora'
import { runTraining, type TrainingHooks, type TrainingResult } from './run-training'
import { IGNORE, sftRow, splitHoldout, type SftConfig, type SftExample, type SftRow } from './sft'
import type { Feeds } from './trainer'

/**
 * SFT of a decoder ONNX graph Nashlab did not build (an imported model with the standard I/O
 * names), when its autodiff covers every op: the graph itself is the forward (with an empty KV
 * cache), a cross-entropy head on `logits` is added, and the train-step program differentiates it.
 *
 * - full: trains the graph's weights — 2-D MatMul/Gemm weights, Gather tables (embeddings),
 *   LayerNormalization scales and biases, 1-D Add operands (biases); other initializers (masks,
 *   rotary tables, shape constants) stay fixed.
 * - lora: rank-r adapters on every 2-D MatMul/Gemm weight (native/train/lora.ts); the base stays
 *   frozen, and the adapters are merged into it for the trained model.
 * The loss is SFT's (sft.ts): mean −log p over completion tokens, prompt and padding ignored.
 */
export interface GraphSftOptions {
  adapter: 'full' | 'lora'
  /** LoRA rank r (α = r). */
  rank: number
}

/** Opsets from 13 to 17 read the same for the ops here; gradient ops (ScatterND add) need 16. */
const TRAIN_OPSET = 17

/** The sizes of the graph's symbolic dims for a batch of rows of `sequence` tokens and an empty cache. */
export function graphDims(model: Model, batch: number, sequence: number): Record<string, number> {
  const dims: Record<string, number> = {}
  const set = (d: Dim | undefined, value: number) => {
    if (typeof d === 'string') dims[d] = value
  }
  for (const input of model.graph.inputs) {
    const shape = input.type?.tensor?.shape ?? []
    if (input.name === 'input_ids' || input.name === 'position_ids' || input.name === 'attention_mask') {
      set(shape[0], batch)
      set(shape[1], sequence)
    } else if (input.name.startsWith('past_key_values.')) {
      set(shape[0], batch)
      set(shape[2], 0)
    }
  }
  return dims
}

/** Names of the weights full fine-tuning trains (see the module comment). */
export function graphWeights(model: Model): string[] {
  const floats = new Map(model.graph.initializers.filter((t) => t.dataType === DataType.float).map((t) => [t.name, t]))
  const chosen = new Set<string>()
  for (const n of model.graph.nodes) {
    if (n.domain && n.domain !== 'ai.onnx') continue
    const pick = (i: number, rank?: number) => {
      const t = floats.get(n.inputs[i])
      if (t && (rank === undefined || t.dims.length === rank)) chosen.add(t.name)
    }
    if (n.opType === 'MatMul' || n.opType === 'Gemm') {
      pick(1, 2)
      if (n.opType === 'Gemm') pick(2, 1)
    } else if (n.opType === 'Gather') pick(0, 2)
    else if (n.opType === 'LayerNormalization') {
      pick(1)
      pick(2)
    } else if (n.opType === 'Add') {
      pick(0, 1)
      pick(1, 1)
    }
  }
  return [...chosen]
}

/** The imported graph as an SFT forward: static batch and sequence, an empty cache, `loss` over `targets`. */
export function graphSftForward(model: Model, batch: number, sequence: number): { forward: Model; dims: Record<string, number> } {
  const raised: Model =
    defaultOpset(model) >= 13 && defaultOpset(model) < TRAIN_OPSET
      ? { ...model, opsetImport: model.opsetImport.map((o) => (o.domain === '' || o.domain === 'ai.onnx' ? { ...o, version: TRAIN_OPSET } : o)), irVersion: Math.max(model.irVersion, 8) }
      : model
  const dims = graphDims(raised, batch, sequence)
  const b = GraphBuilder.edit(raised, { dims })
  const logits = b.value('logits')
  const V = logits.shape[logits.shape.length - 1]
  if (typeof V !== 'number') throw new NashlabError('bad_file', 'The imported graph does not say how many logits it gives per position.')
  const targets = b.input('targets', DataType.int64, [batch, sequence])
  const [loss] = b.scope('sft', () => b.node('SoftmaxCrossEntropyLoss', [b.reshape(logits, [-1, V], 'logits'), b.reshape(targets, [-1], 'targets')], { ignore_index: IGNORE }, { name: 'loss' }))
  b.graph.outputs = []
  b.output(loss, 'loss')
  return { forward: b.toModel(), dims }
}

export interface GraphSftInput {
  onnx: string
  io: DecoderIo
  options: GraphSftOptions
  config: SftConfig
  runConfig: Record<string, unknown>
  tokenizer: Tokenizer
  template: PromptTemplate
  examples: readonly SftExample[]
  checkpointRoot: string
  resumeFrom?: string
  /** Where to write the trained decoder (standard I/O, weights inside or external above 2 GB). */
  out: string
  hooks?: TrainingHooks
}

/** Feeds of right-padded rows for the imported graph: ids, mask, positions (when it takes them), an empty cache, targets. */
function graphFeeds(rows: readonly SftRow[], sequence: number, padId: number, io: DecoderIo): { feeds: Feeds; weight: number } {
  const B = rows.length
  const ids = new BigInt64Array(B * sequence).fill(BigInt(padId))
  const mask = new BigInt64Array(B * sequence)
  const positions = new BigInt64Array(B * sequence)
  const targets = new BigInt64Array(B * sequence).fill(BigInt(IGNORE))
  let counted = 0
  rows.forEach((row, r) => {
    row.ids.forEach((token, t) => {
      ids[r * sequence + t] = BigInt(token)
      mask[r * sequence + t] = 1n
      positions[r * sequence + t] = BigInt(t)
    })
    for (let t = Math.max(0, row.promptLength - 1); t + 1 < row.ids.length; t++) {
      targets[r * sequence + t] = BigInt(row.ids[t + 1])
      counted++
    }
  })
  const shape = [B, sequence]
  const feeds: Feeds = { input_ids: new ort.Tensor('int64', ids, shape), attention_mask: new ort.Tensor('int64', mask, shape), targets: new ort.Tensor('int64', targets, shape) }
  if (io.positionIds) feeds.position_ids = new ort.Tensor('int64', positions, shape)
  for (let l = 0; l < io.layers; l++) for (const kv of ['key', 'value']) feeds[`past_key_values.${l}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [B, io.kvHeads, 0, io.headSize])
  return { feeds, weight: counted }
}

/** Run SFT on an imported graph and write the trained decoder to `input.out`. */
export async function runGraphSft(input: GraphSftInput): Promise<TrainingResult & { out: string }> {
  const { config, tokenizer, template } = input
  const base = await loadModel(input.onnx)
  const rows = input.examples.map((e) => sftRow(tokenizer, template, e, config.sequence))
  const { train } = splitHoldout(rows, config.holdout, config.seed)
  const built = graphSftForward(base, config.microBatch, config.sequence)
  const dims = built.dims
  let forward = built.forward
  let adapters: LoraAdapter[] = []
  let trainableNames = graphWeights(forward)
  if (input.options.adapter === 'lora') {
    const targets = trainableNames.filter((name) => forward.graph.nodes.some((n) => (n.opType === 'MatMul' || n.opType === 'Gemm') && n.inputs[1] === name))
    const lora = addLora(forward, { targets, rank: input.options.rank, seed: config.seed })
    forward = lora.model
    adapters = lora.adapters
    trainableNames = lora.trainable
  }
  const initializers = new Map(forward.graph.initializers.map((t) => [t.name, t]))
  const trainable = trainableNames.map((name) => ({ name, shape: [...initializers.get(name)!.dims], decay: initializers.get(name)!.dims.length >= 2 && input.options.adapter === 'full' }))
  const result = await runTraining<SftRow>({
    algorithm: 'sft',
    config,
    runConfig: input.runConfig,
    forward,
    dims,
    trainable,
    examples: train,
    feeds: (batch) => graphFeeds(batch, config.sequence, tokenizer.padId, input.io),
    checkpointRoot: input.checkpointRoot,
    resumeFrom: input.resumeFrom,
    hooks: input.hooks,
  })
  const trained: Model =
    input.options.adapter === 'lora'
      ? mergeLora(base, adapters, result.weights)
      : { ...base, graph: { ...base.graph, initializers: base.graph.initializers.map((t) => (result.weights.has(t.name) ? { ...t, data: bytes(result.weights.get(t.name)!) } : t)) } }
  const weightBytes = trained.graph.initializers.reduce((n, t) => n + (t.data?.byteLength ?? tensorArray(t).byteLength), 0)
  await saveModel(input.out, { ...trained, producerName: 'nashlab' }, weightBytes > MAX_INLINE_BYTES ? 1024 : Infinity)
  return { ...result, out: input.out }
}

function bytes(data: Float32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}
