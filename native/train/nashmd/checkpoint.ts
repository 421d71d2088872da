import { NashlabError } from '../../api/errors'
import { listCheckpoints, readCheckpoint, writeCheckpoint, type StoredTensor } from '../../jobs/checkpoint'
import { weightPrefix, weightsOf, weightTensors } from '../../models/weights-file'
import type { Weights } from '../../models/weights'
import type { RngState } from '../../runtime/rng'
import { optimizerPrefix, type DataPosition, type TrainState } from '../train-checkpoint'

/**
 * Checkpoints of Nash-MD-PG-family runs: the training checkpoint format of native/train/train-checkpoint.ts
 * (so any of them reads as a model, and as a training checkpoint), plus what online training needs:
 *
 *   weights/<name>      the policy θ                       (float32)
 *   optimizer/<input>   AdamW / SGD state                  (float32)
 *   ema/<name>          θ̄ of nash-ema-pg                    (float32, that algorithm only)
 *   state               TrainState: step, the sampling generator, the prompt order position, the
 *                       run's config, the last metrics; `reference` names the held-out reference
 *                       completions' seed so evaluations stay comparable after a resume.
 *
 * With the same seed, a run resumed from step k computes the same weights as one never stopped:
 * every random draw comes from generators whose states are saved here.
 */
export const emaPrefix = 'ema/'

export interface NashCheckpointContent {
  algorithm: string
  step: number
  rng: RngState
  data: DataPosition
  config: Record<string, unknown>
  metrics: Record<string, number>
  weights: Weights
  shapes: Map<string, number[]>
  optimizer: Map<string, { data: Float32Array; shape: number[] }>
  ema: Weights | null
}

export interface NashCheckpoint {
  folder: string
  step: number
  state: TrainState
  weights: Weights
  optimizer: Map<string, Float32Array>
  ema: Weights | null
}

export function saveNashCheckpoint(root: string, c: NashCheckpointContent, keep?: number): string {
  const state: TrainState = { format: 'nashlab-train', version: 1, algorithm: c.algorithm, step: c.step, rng: c.rng, data: c.data, config: c.config, metrics: c.metrics }
  const tensors: Record<string, StoredTensor> = weightTensors(c.weights, c.shapes)
  for (const [name, { data, shape }] of c.optimizer) tensors[`${optimizerPrefix}${name}`] = { dtype: 'float32', shape, data }
  if (c.ema) for (const [name, data] of c.ema) tensors[`${emaPrefix}${name}`] = { dtype: 'float32', shape: c.shapes.get(name) ?? [data.length], data }
  return writeCheckpoint(root, { step: c.step, state, tensors }, keep === undefined ? {} : { keep }).folder
}

export function loadNashCheckpoint(folder: string): NashCheckpoint {
  const read = readCheckpoint<TrainState>(folder)
  if (read.state?.format !== 'nashlab-train' || read.state.version !== 1) {
    throw new NashlabError('bad_file', `${folder} is not a version 1 Nashlab training checkpoint.`, { folder })
  }
  const optimizer = new Map<string, Float32Array>()
  const ema: Weights = new Map()
  for (const [name, tensor] of Object.entries(read.tensors)) {
    if (name.startsWith(optimizerPrefix)) optimizer.set(name.slice(optimizerPrefix.length), tensor.data as Float32Array)
    else if (name.startsWith(emaPrefix)) ema.set(name.slice(emaPrefix.length), tensor.data as Float32Array)
  }
  return { folder, step: read.step, state: read.state, weights: weightsOf(read.tensors, folder), optimizer, ema: ema.size > 0 ? ema : null }
}

/**
 * The newest checkpoint under `root` that reads back whole (damaged ones are skipped, see
 * native/jobs/checkpoint.ts), or null.
 */
export function latestNashCheckpoint(root: string): NashCheckpoint | null {
  for (const { folder } of listCheckpoints(root)) {
    try {
      return loadNashCheckpoint(folder)
    } catch {
      // Damaged or half-written: fall back to the next older one.
    }
  }
  return null
}

export { weightPrefix }
