import type { SamplingSettings } from '../api/generate'
import type { Policy, SampleOptions } from '../generate/policy'
import { openPolicy, openPreferenceModel } from '../models/open'
import type { PreferenceModel } from '../models/preference-model'
import type { SessionRequest } from '../runtime/session'
import type { PolicySpec, PreferenceSpec } from './players'

/**
 * Open what players.ts resolved (in a worker thread: sessions block their thread while they run),
 * through the models' own openers. Warnings of the sessions (a provider that fell back to CPU) go
 * to `warn`.
 */
export async function loadPolicy(spec: PolicySpec, options: { session?: SessionRequest; warn?: (message: string) => void } = {}): Promise<Policy> {
  const policy = await openPolicy(spec.manifest, spec.dataDir, { session: { name: spec.label, ...options.session }, weightsFolder: spec.weightsFolder ?? undefined })
  for (const warning of policy.runner.warnings) options.warn?.(warning)
  return policy
}

export async function loadPreference(spec: PreferenceSpec, options: { session?: SessionRequest; warn?: (message: string) => void } = {}): Promise<PreferenceModel> {
  const model = await openPreferenceModel(spec.manifest, spec.dataDir, { session: { name: spec.label, ...options.session } })
  for (const warning of model.warnings) options.warn?.(warning)
  return model
}

/** The sampler's options for the contract's sampling settings. */
export function sampleOptions(settings: SamplingSettings): Pick<SampleOptions, 'settings' | 'maxTokens' | 'seed' | 'stopAtEos'> {
  const { temperature, topK, topP, minP } = settings
  return { settings: { temperature, topK, topP, minP }, maxTokens: settings.maxTokens, seed: settings.seed, stopAtEos: settings.stopAtEos }
}
