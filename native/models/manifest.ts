import path from 'node:path'
import type { ImportedGraph, ModelKind } from '../api/models'
import type { DecoderIo } from '../generate/decoder-session'
import type { DecoderConfig } from './config'
import type { PreferenceConfig } from './preference-config'
import type { PromptTemplate } from './tokenizer/template'

/**
 * What Nashlab stores about a model (the `config` column of `models`, also written as
 * nashlab-config.json by an export). Paths are relative to the data folder when inside it.
 *
 * A model's folder (`<data folder>/models/<id>/`) holds its tokenizer.json (+ tokenizer_config.json)
 * and, for models Nashlab made, a weights checkpoint folder `weights/step-00000000/`. A model made by
 * a training run points at that run's checkpoint instead of copying it.
 */
export interface TokenizerInfo {
  /** tokenizer.json of the model. */
  file: string
  vocabSize: number
  eosId: number
  padId: number
  /** Which encoder runs it. */
  backend: 'nashlab' | 'huggingface'
  /** The dataset whose text trained it, for Nashlab-trained tokenizers. */
  trainedOn?: string
}

interface CommonManifest {
  format: 'nashlab-model'
  version: 1
  kind: ModelKind
  tokenizer: TokenizerInfo
  template: PromptTemplate
}

/** A decoder Nashlab builds from its architecture. */
export interface PolicyManifest extends CommonManifest {
  kind: 'policy'
  architecture: DecoderConfig
  /** The checkpoint folder with its weights. */
  weights: string
  /** Seed of the initialisation, for a model created from scratch. */
  seed?: number
}

/** A decoder ONNX file with the standard I/O names. */
export interface ImportedManifest extends CommonManifest {
  kind: 'imported'
  /** The .onnx file (absolute, where the user keeps it). */
  onnx: string
  io: DecoderIo
  graph: ImportedGraph
  /** A Nashlab export: its architecture and its weights read back into a checkpoint folder, so it runs (and fine-tunes) natively. */
  architecture?: DecoderConfig
  weights?: string
}

/** A pairwise preference model or a Bradley–Terry reward model. */
export interface PreferenceManifest extends CommonManifest {
  kind: 'preference' | 'reward'
  preference: PreferenceConfig
  weights: string
  /** Held-out evaluation at the end of training. */
  evaluation?: PreferenceEvaluation
}

export interface PreferenceEvaluation {
  pairs: number
  /** Share of decisive pairs whose preferred response got P > ½. */
  accuracy: number
  /** Mean cross-entropy (nats) against the labels (tie = ½). */
  logLoss: number
  /** Expected calibration error over 10 equal-width bins of P. */
  calibrationError: number
}

export type ModelManifest = PolicyManifest | ImportedManifest | PreferenceManifest

/** A stored path made absolute against the data folder. */
export function dataPath(dataDir: string, stored: string): string {
  return path.isAbsolute(stored) ? stored : path.join(dataDir, stored)
}

/** A path as stored: relative to the data folder when inside it, absolute otherwise. */
export function storedPath(dataDir: string, absolute: string): string {
  const relative = path.relative(dataDir, absolute)
  return relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative.split(path.sep).join('/')
}
