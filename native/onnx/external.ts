import { readFile, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { decodeModel } from './decode'
import { encodeModel } from './encode'
import type { Model, Tensor } from './model'

/**
 * External data: initializers at or above a size threshold are stored in a side file and the model
 * keeps only their location, offset and length (ONNX's external-data convention, needed for models
 * above protobuf's 2 GiB limit and handy for large checkpoints). Offsets are aligned to 4096 bytes
 * so a runtime may memory-map the file.
 */
export interface ExternalFile {
  /** The location written in the model (a file name relative to the model file). */
  path: string
  data: Uint8Array
}

export interface EncodedModel {
  /** ModelProto bytes. */
  model: Uint8Array
  /** The side file, when any tensor went external. */
  external?: ExternalFile
}

export interface ExternalOptions {
  /** Tensors with at least this many bytes go external; Infinity keeps everything inline. */
  threshold: number
  /** Side file name, e.g. "model.onnx.data". */
  location: string
}

const ALIGN = 4096

/** Encode a model, moving large initializers into one side file. */
export function encodeWithExternalData(model: Model, options: ExternalOptions): EncodedModel {
  const big = model.graph.initializers.filter((t) => t.data !== undefined && !t.external && t.data.byteLength >= options.threshold)
  if (big.length === 0) return { model: encodeModel(model) }
  let size = 0
  const offsets = big.map((t) => {
    const offset = Math.ceil(size / ALIGN) * ALIGN
    size = offset + t.data!.byteLength
    return offset
  })
  const data = new Uint8Array(size)
  const moved = new Map<Tensor, Tensor>()
  big.forEach((t, i) => {
    data.set(t.data!, offsets[i])
    moved.set(t, { ...t, data: undefined, external: { location: options.location, offset: offsets[i], length: t.data!.byteLength } })
  })
  const graph = { ...model.graph, initializers: model.graph.initializers.map((t) => moved.get(t) ?? t) }
  return { model: encodeModel({ ...model, graph }), external: { path: options.location, data } }
}

/** Fill external tensors' bytes from the given side files (by location). Returns a new model. */
export function resolveExternalData(model: Model, files: readonly ExternalFile[]): Model {
  const byPath = new Map(files.map((f) => [f.path, f.data]))
  const initializers = model.graph.initializers.map((t) => {
    if (!t.external) return t
    const file = byPath.get(t.external.location)
    if (!file) throw new Error(`Tensor "${t.name}" refers to external file "${t.external.location}", which was not given.`)
    const length = t.external.length >= 0 ? t.external.length : file.byteLength - t.external.offset
    if (t.external.offset + length > file.byteLength) {
      throw new Error(`Tensor "${t.name}" reads bytes ${t.external.offset}..${t.external.offset + length} of "${t.external.location}", which has only ${file.byteLength}.`)
    }
    return { ...t, external: undefined, data: file.subarray(t.external.offset, t.external.offset + length) }
  })
  return { ...model, graph: { ...model.graph, initializers } }
}

/** The side-file locations a model refers to. */
export function externalLocations(model: Model): string[] {
  return [...new Set(model.graph.initializers.flatMap((t) => (t.external ? [t.external.location] : [])))]
}

/** Read an .onnx file and any external data files beside it. */
export async function loadModel(path: string): Promise<Model> {
  const bytes = new Uint8Array(await readFile(path))
  const model = decodeModel(bytes)
  const locations = externalLocations(model)
  if (locations.length === 0) return model
  const files = await Promise.all(locations.map(async (location) => ({ path: location, data: new Uint8Array(await readFile(join(dirname(path), location))) })))
  return resolveExternalData(model, files)
}

/**
 * Write a model to `path`; tensors of at least `externalThreshold` bytes go to `<file>.data` beside it.
 * Returns the paths written.
 */
export async function saveModel(path: string, model: Model, externalThreshold = Infinity): Promise<string[]> {
  const encoded = encodeWithExternalData(model, { threshold: externalThreshold, location: `${basename(path)}.data` })
  await writeFile(path, encoded.model)
  if (!encoded.external) return [path]
  const dataPath = join(dirname(path), encoded.external.path)
  await writeFile(dataPath, encoded.external.data)
  return [path, dataPath]
}
