import { NashlabError } from '../api/errors'
import type { SamplingSettings } from '../api/generate'
import { Policy, type SampleOptions } from '../generate/policy'
import { GraphRunner, NativeRunner } from '../generate/runner'
import { PreferenceModel } from '../models/preference-model'
import { loadTokenizer } from '../models/tokenizer/files'
import { readWeights } from '../models/weights-file'
import type { SessionRequest } from '../runtime/session'
import type { PolicySpec, PreferenceSpec } from './players'

/**
 * Load what players.ts resolved (in a worker thread: sessions block their thread while they run).
 * Warnings of the sessions (a provider that fell back to CPU) go to `warn`.
 */
export async function loadPolicy(spec: PolicySpec, options: { session?: SessionRequest; warn?: (message: string) => void } = {}): Promise<Policy> {
  const { manifest } = spec
  const { tokenizer } = loadTokenizer(spec.tokenizerDir, { backend: manifest.tokenizer.backend === 'huggingface' ? 'huggingface' : 'auto' })
  const session = { name: spec.label, ...options.session }
  let runner
  if (manifest.kind === 'policy') {
    if (!spec.weights) throw new NashlabError('internal', `Player ${spec.label} has no weights folder.`)
    runner = await NativeRunner.create(manifest.architecture, readWeights(spec.weights), { session })
  } else {
    if (!spec.onnx) throw new NashlabError('internal', `Player ${spec.label} has no ONNX file.`)
    runner = await GraphRunner.create(spec.onnx, manifest.io, session)
  }
  for (const warning of runner.warnings) options.warn?.(warning)
  return new Policy(runner, tokenizer, manifest.template, spec.label)
}

export async function loadPreference(spec: PreferenceSpec, options: { session?: SessionRequest; warn?: (message: string) => void } = {}): Promise<PreferenceModel> {
  const { manifest } = spec
  const { tokenizer } = loadTokenizer(spec.tokenizerDir, { backend: manifest.tokenizer.backend === 'huggingface' ? 'huggingface' : 'auto' })
  const model = await PreferenceModel.create(manifest.preference, readWeights(spec.weights), tokenizer, manifest.template, { name: spec.label, ...options.session })
  for (const warning of model.warnings) options.warn?.(warning)
  return model
}

/** The sampler's options for the contract's sampling settings. */
export function sampleOptions(settings: SamplingSettings): Pick<SampleOptions, 'settings' | 'maxTokens' | 'seed' | 'stopAtEos'> {
  const { temperature, topK, topP, minP } = settings
  return { settings: { temperature, topK, topP, minP }, maxTokens: settings.maxTokens, seed: settings.seed, stopAtEos: settings.stopAtEos }
}
