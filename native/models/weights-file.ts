import { NashlabError } from '../api/errors'
import { readCheckpoint, writeCheckpoint, type StoredTensor } from '../jobs/checkpoint'
import type { Weights } from './weights'

/**
 * Weights on disk are a checkpoint folder (native/jobs/checkpoint.ts: manifest.json + tensors.bin)
 * whose tensors named `weights/<name>` are the model's weights. A training checkpoint holds more
 * (optimizer state, see native/train/checkpoint.ts) and is read the same way, so any checkpoint of a
 * run can be loaded as a model.
 */
export const weightPrefix = 'weights/'

/** The float32 weights stored in a checkpoint folder. */
export function readWeights(folder: string): Weights {
  const checkpoint = readCheckpoint(folder)
  return weightsOf(checkpoint.tensors, folder)
}

/** The `weights/…` tensors of a checkpoint's tensor table. */
export function weightsOf(tensors: Record<string, StoredTensor>, where: string): Weights {
  const weights: Weights = new Map()
  for (const [name, tensor] of Object.entries(tensors)) {
    if (!name.startsWith(weightPrefix)) continue
    if (tensor.dtype !== 'float32') throw new NashlabError('bad_file', `Weight "${name}" in ${where} is ${tensor.dtype}; Nashlab's models keep float32 weights.`, { tensor: name })
    weights.set(name.slice(weightPrefix.length), tensor.data as Float32Array)
  }
  if (weights.size === 0) throw new NashlabError('bad_file', `The checkpoint ${where} holds no weights.`, { folder: where })
  return weights
}

/** The tensor table entries of weights with their shapes. */
export function weightTensors(weights: Weights, shapes: Map<string, number[]>): Record<string, StoredTensor> {
  const tensors: Record<string, StoredTensor> = {}
  for (const [name, data] of weights) tensors[`${weightPrefix}${name}`] = { dtype: 'float32', shape: shapes.get(name) ?? [data.length], data }
  return tensors
}

/** Write weights alone as step `step` under `root`; returns the checkpoint folder. */
export function writeWeights(root: string, weights: Weights, shapes: Map<string, number[]>, step = 0, state: Record<string, unknown> = {}): string {
  return writeCheckpoint(root, { step, state: { kind: 'nashlab-weights', ...state }, tensors: weightTensors(weights, shapes) }).folder
}
