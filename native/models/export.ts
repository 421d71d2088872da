import fs from 'node:fs'
import path from 'node:path'
import { NashlabError } from '../api/errors'
import type { ExportResult } from '../api/models'
import { saveModel } from '../onnx/external'
import type { Model } from '../onnx/model'
import { headSize, type DecoderConfig } from './config'
import { preferenceProgram, rewardProgram } from './preference'
import type { PreferenceConfig } from './preference-config'
import { generationProgram } from './programs'
import type { PromptTemplate } from './tokenizer/template'
import type { Tokenizer } from './tokenizer/tokenizer'
import type { Weights } from './weights'

/**
 * Export: a folder that runs outside Nashlab.
 *
 *   model.onnx            the forward graph with the weights inside (opset 17, IR 8);
 *                         weights go to model.onnx.data when the model would pass protobuf's 2 GB
 *   tokenizer.json        (+ tokenizer_config.json when the model has one)
 *   config.json           the common decoder keys (vocab_size, hidden_size, num_hidden_layers,
 *                         num_attention_heads, num_key_value_heads, head_dim, max_position_embeddings,
 *                         eos/bos/pad_token_id) and a `nashlab` section: kind, architecture, template, I/O
 *   generation_config.json  eos_token_id, pad_token_id
 *
 * A policy's model.onnx has the decoder I/O of transformers/Optimum exports:
 *   inputs  input_ids, attention_mask (batch, past + sequence), position_ids, past_key_values.{i}.key/value
 *   outputs logits (batch, sequence, vocab), present.{i}.key/value
 * (a first call feeds past tensors with 0 positions). A preference model's has the pair inputs
 * (input_ids … and swapped_input_ids …) → probability, logit; a reward model's input_ids,
 * attention_mask, position_ids → reward.
 */
export const MAX_INLINE_BYTES = 2 * 1024 ** 3 - 64 * 1024 ** 2

export interface ExportSource {
  kind: 'policy' | 'preference' | 'reward'
  name: string
  architecture?: DecoderConfig
  preference?: PreferenceConfig
  weights: Weights
  tokenizer: Tokenizer
  /** The folder holding tokenizer.json (and tokenizer_config.json). */
  tokenizerFolder: string
  template: PromptTemplate
  /** Lineage written into config.json. */
  lineage?: Record<string, unknown>
}

/** The ONNX graph an export writes. */
export function exportGraph(source: ExportSource): Model {
  if (source.kind === 'policy') return generationProgram(source.architecture!, source.weights, { cache: 'concat', logits: 'all' })
  if (source.kind === 'preference') return preferenceProgram(source.preference!, source.weights)
  return rewardProgram(source.preference!, source.weights)
}

/** Write an export folder; `externalThreshold` (bytes) forces weights of that size into model.onnx.data. */
export async function exportModel(source: ExportSource, out: string, options: { externalThreshold?: number } = {}): Promise<ExportResult> {
  fs.mkdirSync(out, { recursive: true })
  for (const stale of ['model.onnx', 'model.onnx.data']) fs.rmSync(path.join(out, stale), { force: true })
  const graph = exportGraph(source)
  const nashlab = exportConfig(source)
  const model: Model = {
    ...graph,
    producerName: 'nashlab',
    docString: `${source.kind} "${source.name}" exported by Nashlab`,
    metadataProps: [{ key: 'nashlab', value: JSON.stringify(nashlab) }],
  }
  const weightBytes = graph.graph.initializers.reduce((n, t) => n + (t.data?.byteLength ?? 0), 0)
  const threshold = options.externalThreshold ?? (weightBytes > MAX_INLINE_BYTES ? 1024 : Infinity)
  const written = await saveModel(path.join(out, 'model.onnx'), model, threshold)
  const files = [...written]
  for (const name of ['tokenizer.json', 'tokenizer_config.json']) {
    const from = path.join(source.tokenizerFolder, name)
    if (!fs.existsSync(from)) {
      if (name === 'tokenizer.json') throw new NashlabError('not_found', `The model's tokenizer file ${from} is missing.`, { file: from })
      continue
    }
    fs.copyFileSync(from, path.join(out, name))
    files.push(path.join(out, name))
  }
  const t = source.tokenizer
  const hf = source.architecture ?? source.preference!.trunk
  const config = {
    model_type: 'nashlab-gpt',
    vocab_size: hf.vocab,
    hidden_size: hf.dModel,
    num_hidden_layers: hf.layers,
    num_attention_heads: hf.heads,
    num_key_value_heads: hf.heads,
    head_dim: headSize(hf),
    max_position_embeddings: hf.context,
    eos_token_id: t.eosId,
    bos_token_id: t.bosId ?? t.eosId,
    pad_token_id: t.padId,
    nashlab,
  }
  files.push(writeJson(path.join(out, 'config.json'), config))
  files.push(writeJson(path.join(out, 'generation_config.json'), { eos_token_id: [...t.stopIds], pad_token_id: t.padId, bos_token_id: t.bosId ?? t.eosId }))
  const bytes = written.reduce((n, f) => n + fs.statSync(f).size, 0)
  return {
    folder: out,
    files,
    bytes,
    external: written.length > 1,
    inputs: graph.graph.inputs.map((i) => i.name),
    outputs: graph.graph.outputs.map((o) => o.name),
  }
}

/** The `nashlab` section of config.json (also the ONNX file's `nashlab` metadata). */
export function exportConfig(source: ExportSource): Record<string, unknown> {
  return {
    format: 'nashlab-export',
    version: 1,
    kind: source.kind,
    name: source.name,
    ...(source.architecture ? { architecture: source.architecture } : {}),
    ...(source.preference ? { preference: source.preference } : {}),
    template: source.template,
    ...(source.lineage ? { lineage: source.lineage } : {}),
  }
}

function writeJson(file: string, value: unknown): string {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`)
  return file
}
