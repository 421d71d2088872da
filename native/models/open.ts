import path from 'node:path'
import { NashlabError } from '../api/errors'
import { Policy } from '../generate/policy'
import { GraphRunner, NativeRunner } from '../generate/runner'
import type { SessionRequest } from '../runtime/session'
import { dataPath, type ImportedManifest, type ModelManifest, type PolicyManifest, type PreferenceManifest, type TokenizerInfo } from './manifest'
import { PreferenceModel } from './preference-model'
import { loadTokenizer } from './tokenizer/files'
import type { Tokenizer } from './tokenizer/tokenizer'
import { readWeights } from './weights-file'
import type { Weights } from './weights'

/**
 * Opening stored models for use, in the engine or in a job's worker (given the manifest from the
 * models table and the data folder):
 *
 *   const policy = await openPolicy(manifest, dataDir)                 // Policy: sample, logProbs
 *   const judge = await openPreferenceModel(manifest, dataDir)          // PreferenceModel: score
 *
 * `weights: 'inputs'` opens a policy whose weights can be swapped with `runner.setWeights` (for a
 * policy being trained); only Nashlab's own decoders have that.
 */
export function openTokenizer(info: TokenizerInfo, dataDir: string): Tokenizer {
  return loadTokenizer(path.dirname(dataPath(dataDir, info.file))).tokenizer
}

/** Whether Nashlab runs the model natively: its own architecture, its weights in a checkpoint folder. */
export function isNative(manifest: ModelManifest): manifest is PolicyManifest | (ImportedManifest & { architecture: NonNullable<ImportedManifest['architecture']>; weights: string }) {
  return manifest.kind === 'policy' || (manifest.kind === 'imported' && manifest.architecture !== undefined && manifest.weights !== undefined)
}

/** A policy or imported decoder's weights (Nashlab architectures only). */
export function policyWeights(manifest: PolicyManifest | ImportedManifest, dataDir: string, weightsFolder?: string): Weights {
  const folder = weightsFolder ?? manifest.weights
  if (!folder) throw new NashlabError('invalid_input', 'This imported model keeps its weights inside its ONNX graph; Nashlab cannot read them as a model of its own.')
  return readWeights(dataPath(dataDir, folder))
}

export interface OpenPolicyOptions {
  weights?: 'constant' | 'inputs'
  session?: SessionRequest
  /** Use the weights of this checkpoint folder instead of the model's own (same architecture). */
  weightsFolder?: string
}

export async function openPolicy(manifest: ModelManifest, dataDir: string, options: OpenPolicyOptions = {}): Promise<Policy> {
  const tokenizer = openTokenizer(manifest.tokenizer, dataDir)
  if (isNative(manifest)) {
    const architecture = manifest.architecture
    const weights = policyWeights(manifest, dataDir, options.weightsFolder)
    const runner = await NativeRunner.create(architecture, weights, { weights: options.weights, session: options.session })
    return new Policy(runner, tokenizer, manifest.template, manifest.kind)
  }
  if (manifest.kind === 'imported') {
    if (options.weights === 'inputs') throw new NashlabError('invalid_input', 'An imported ONNX decoder keeps its weights inside its graph; it cannot be opened with swappable weights.')
    const runner = await GraphRunner.create(manifest.onnx, { ...manifest.io, vocabSize: manifest.io.vocabSize || tokenizer.vocabSize }, { name: path.basename(manifest.onnx), ...options.session })
    return new Policy(runner, tokenizer, manifest.template, manifest.kind)
  }
  throw new NashlabError('invalid_input', `A ${manifest.kind} model scores pairs; it does not generate text.`)
}

export async function openPreferenceModel(manifest: ModelManifest, dataDir: string, options: { session?: SessionRequest; weightsFolder?: string } = {}): Promise<PreferenceModel> {
  if (manifest.kind !== 'preference' && manifest.kind !== 'reward') throw new NashlabError('invalid_input', `A ${manifest.kind} model does not judge pairs; choose a preference or reward model.`)
  const p = manifest as PreferenceManifest
  const weights = readWeights(dataPath(dataDir, options.weightsFolder ?? p.weights))
  return PreferenceModel.create(p.preference, weights, openTokenizer(p.tokenizer, dataDir), p.template, options.session)
}
