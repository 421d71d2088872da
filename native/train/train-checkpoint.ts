import { NashlabError } from '../api/errors'
import { readCheckpoint, readLatestCheckpoint, writeCheckpoint, type StoredTensor } from '../jobs/checkpoint'
import { weightsOf, weightTensors } from '../models/weights-file'
import type { Weights } from '../models/weights'
import type { RngState } from '../runtime/rng'

/**
 * The training checkpoint format, version 1: enough to resume a run exactly (the resumed run
 * computes the same weights, bit for bit, as one that was never stopped). A checkpoint is a
 * native/jobs checkpoint folder (crash-safe: written aside, renamed when whole, checksummed):
 *
 *   <data folder>/runs/<run>/checkpoints/step-00000120/manifest.json
 *                                                     /tensors.bin
 *
 * Tensors (all float32):
 *   weights/<name>            the model's weights, gpt.ts names (a preference model adds score.weight)
 *   optimizer/<state input>   the optimizer state as the train-step program names its inputs:
 *                             AdamW: adamw.m.<name>, adamw.v.<name> (per weight), adamw.step (shape []);
 *                             SGD with momentum: sgd.momentum.<name>
 * manifest.json's `state` is a TrainState (below): the step, the trainer's RNG state, the data
 * position and the run's full config. Any checkpoint also reads as a model (its `weights/` tensors).
 */
export interface TrainState {
  format: 'nashlab-train'
  version: 1
  algorithm: string
  /** Optimizer steps done (the folder's step). */
  step: number
  /** The trainer's random generator after the step. */
  rng: RngState
  /** Where the next batch starts: example `order[offset]` of epoch `epoch`, order = shuffle of 0…n−1 by `orderRng`. */
  data: DataPosition
  /** The run's full resolved config. */
  config: Record<string, unknown>
  /** The last logged metrics (for display). */
  metrics: Record<string, number>
}

export interface DataPosition {
  epoch: number
  offset: number
  /** The generator state the epoch's permutation was drawn from. */
  orderRng: RngState
}

export interface TrainCheckpoint {
  folder: string
  step: number
  state: TrainState
  weights: Weights
  /** Optimizer state by the train program's input names. */
  optimizer: Map<string, Float32Array>
}

export const optimizerPrefix = 'optimizer/'

/** Write a training checkpoint under `root`; keeps the newest `keep` (default all). */
export function saveTrainCheckpoint(
  root: string,
  content: { state: TrainState; weights: Weights; shapes: Map<string, number[]>; optimizer: Map<string, { data: Float32Array; shape: number[] }> },
  keep?: number,
): string {
  const tensors: Record<string, StoredTensor> = weightTensors(content.weights, content.shapes)
  for (const [name, { data, shape }] of content.optimizer) tensors[`${optimizerPrefix}${name}`] = { dtype: 'float32', shape, data }
  return writeCheckpoint(root, { step: content.state.step, state: content.state, tensors }, keep === undefined ? {} : { keep }).folder
}

/** Read a training checkpoint folder, refusing one that is not version 1 of this format. */
export function loadTrainCheckpoint(folder: string): TrainCheckpoint {
  return fromStored(readCheckpoint<TrainState>(folder))
}

/** The newest whole training checkpoint under `root`, or null. */
export function latestTrainCheckpoint(root: string): TrainCheckpoint | null {
  const latest = readLatestCheckpoint<TrainState>(root)
  return latest ? fromStored(latest) : null
}

function fromStored(c: { folder: string; step: number; state: TrainState; tensors: Record<string, StoredTensor> }): TrainCheckpoint {
  if (c.state?.format !== 'nashlab-train' || c.state.version !== 1) {
    throw new NashlabError('bad_file', `${c.folder} is not a version 1 Nashlab training checkpoint.`, { folder: c.folder })
  }
  const optimizer = new Map<string, Float32Array>()
  for (const [name, tensor] of Object.entries(c.tensors)) if (name.startsWith(optimizerPrefix)) optimizer.set(name.slice(optimizerPrefix.length), tensor.data as Float32Array)
  return { folder: c.folder, step: c.step, state: c.state, weights: weightsOf(c.tensors, c.folder), optimizer }
}
