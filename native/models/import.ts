import fs from 'node:fs'
import path from 'node:path'
import { NashlabError } from '../api/errors'
import type { ImportedGraph } from '../api/models'
import { gradientRule } from '../autodiff/registry'
import type { DecoderIo } from '../generate/decoder-session'
import { dataTypeName } from '../onnx/dtype'
import { loadModel } from '../onnx/external'
import type { Dim, Model, ValueInfo } from '../onnx/model'
import { tensorArray } from '../onnx/tensor'
import { decoderConfigSchema, type DecoderConfig } from './config'
import { weightSpecs, type Weights } from './weights'

/**
 * Reading an ONNX decoder a user already has. It must use the decoder I/O names of
 * transformers/Optimum exports (and Nashlab's own):
 *   inputs  input_ids, attention_mask, [position_ids], past_key_values.{i}.key / .value
 *   outputs logits, present.{i}.key / .value
 * with the cache shaped (batch, kv heads, past, head size). What the autodiff cannot differentiate
 * is listed by op type (looked up in its gradient registry), so a user knows whether it can be
 * fine-tuned. A Nashlab export carries its architecture in the `nashlab` metadata and is rebuilt
 * natively (its weights are read back by name).
 */
export interface InspectedDecoder {
  model: Model
  io: DecoderIo
  graph: ImportedGraph
  /** The `nashlab` metadata of a Nashlab export. */
  nashlab?: { kind?: string; architecture?: DecoderConfig; template?: unknown; name?: string }
}

function dims(v: ValueInfo): Dim[] {
  return v.type?.tensor?.shape ?? []
}

function describe(v: ValueInfo) {
  return { name: v.name, type: dataTypeName(v.type?.tensor?.elemType ?? 0), shape: dims(v) }
}

/** Op types no gradient rule covers (`domain:op` for other domains), in order of first use. */
export function uncoveredOps(model: Model): string[] {
  const missing = new Set<string>()
  const walk = (nodes: Model['graph']['nodes']) => {
    for (const node of nodes) {
      if (!gradientRule(node)) missing.add(node.domain && node.domain !== 'ai.onnx' ? `${node.domain}:${node.opType}` : node.opType)
      for (const a of node.attributes) {
        if (a.g) walk(a.g.nodes)
        for (const g of a.graphs ?? []) walk(g.nodes)
      }
    }
  }
  walk(model.graph.nodes)
  return [...missing]
}

/** Inspect a decoder ONNX file; throws `bad_file` naming what is missing. */
export async function inspectDecoder(file: string): Promise<InspectedDecoder> {
  if (!fs.existsSync(file)) throw new NashlabError('not_found', `There is no file ${file}.`, { file })
  let model: Model
  try {
    model = await loadModel(file)
  } catch (error) {
    throw new NashlabError('bad_file', `${file} could not be read as an ONNX model: ${(error as Error).message}`, { file })
  }
  const inputs = new Map(model.graph.inputs.map((v) => [v.name, v]))
  const outputs = new Map(model.graph.outputs.map((v) => [v.name, v]))
  const missing: string[] = []
  for (const name of ['input_ids', 'attention_mask']) if (!inputs.has(name)) missing.push(`input ${name}`)
  if (!outputs.has('logits')) missing.push('output logits')
  let layers = 0
  while (inputs.has(`past_key_values.${layers}.key`)) layers++
  if (layers === 0) missing.push('inputs past_key_values.0.key/value (a KV cache)')
  for (let l = 0; l < layers; l++) {
    if (!inputs.has(`past_key_values.${l}.value`)) missing.push(`input past_key_values.${l}.value`)
    for (const kv of ['key', 'value']) if (!outputs.has(`present.${l}.${kv}`)) missing.push(`output present.${l}.${kv}`)
  }
  if (missing.length > 0) {
    throw new NashlabError(
      'bad_file',
      `${path.basename(file)} is not a decoder with the standard I/O names: it lacks ${missing.join(', ')}. Export it with past_key_values (e.g. Optimum's "text-generation-with-past").`,
      { file, missing },
    )
  }
  const cache = dims(inputs.get('past_key_values.0.key')!)
  const [, kvHeads, , headSize] = cache
  if (typeof kvHeads !== 'number' || typeof headSize !== 'number') {
    throw new NashlabError('bad_file', `${path.basename(file)} gives past_key_values.0.key the shape [${cache.join(', ')}]; Nashlab needs the number of heads and the head size as fixed sizes.`, { file })
  }
  const logitsShape = dims(outputs.get('logits')!)
  const vocab = logitsShape[logitsShape.length - 1]
  const meta = model.metadataProps?.find((p) => p.key === 'nashlab')
  let nashlab: InspectedDecoder['nashlab']
  if (meta) {
    try {
      nashlab = JSON.parse(meta.value)
      if (nashlab?.architecture) nashlab.architecture = decoderConfigSchema.parse(nashlab.architecture) as DecoderConfig
    } catch {
      nashlab = undefined
    }
  }
  const opCounts: Record<string, number> = {}
  for (const n of model.graph.nodes) opCounts[n.opType] = (opCounts[n.opType] ?? 0) + 1
  const parameters = model.graph.initializers.reduce((n, t) => n + t.dims.reduce((a, b) => a * b, 1), 0)
  const io: DecoderIo = {
    layers,
    kvHeads,
    headSize,
    vocabSize: typeof vocab === 'number' ? vocab : 0,
    positionIds: inputs.has('position_ids'),
    context: nashlab?.architecture?.context ?? contextFromConfig(path.dirname(file)),
  }
  return {
    model,
    io,
    graph: {
      inputs: model.graph.inputs.map(describe),
      outputs: model.graph.outputs.map(describe),
      layers,
      kvHeads,
      headSize,
      positionIds: io.positionIds,
      uncoveredOps: uncoveredOps(model),
      opCounts,
      parameters,
    },
    ...(nashlab ? { nashlab } : {}),
  }
}

/** max_position_embeddings (or n_positions) of a config.json beside the model, else null. */
function contextFromConfig(folder: string): number | null {
  try {
    const config = JSON.parse(fs.readFileSync(path.join(folder, 'config.json'), 'utf8')) as Record<string, unknown>
    const n = config.max_position_embeddings ?? config.n_positions ?? config.n_ctx
    return typeof n === 'number' ? n : null
  } catch {
    return null
  }
}

/** A Nashlab export's weights, read back from its initializers by name. */
export function exportedWeights(model: Model, architecture: DecoderConfig): Weights {
  const byName = new Map(model.graph.initializers.map((t) => [t.name, t]))
  const weights: Weights = new Map()
  for (const spec of weightSpecs(architecture)) {
    const t = byName.get(spec.name)
    if (!t) throw new NashlabError('bad_file', `The Nashlab export lacks its weight "${spec.name}".`, { tensor: spec.name })
    weights.set(spec.name, Float32Array.from(tensorArray(t) as Float32Array))
  }
  return weights
}
