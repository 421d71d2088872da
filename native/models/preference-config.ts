import { z } from 'zod'
import { decoderConfigSchema, type DecoderConfig } from './config'

/**
 * A preference model P(y ≻ y′ | x) or a Bradley–Terry reward model r(x, y): a decoder trunk
 * (the policy's architecture, without its output head) and a scalar head on the last token's state.
 *
 * - pairwise: f(x, y, y′) scores the sequence `x EOS y EOS y′ EOS`, and
 *   P(y ≻ y′ | x) = σ(f(x, y, y′) − f(x, y′, y)), antisymmetric by construction
 *   (P(y ≻ y′) + P(y′ ≻ y) = 1 and P(y ≻ y) = ½ exactly).
 * - bt (Bradley–Terry): r(x, y) scores `x EOS y EOS`, and P(y ≻ y′ | x) = σ(r(x, y) − r(x, y′)).
 *   One scalar per response: it cannot represent preferences that cycle.
 *
 * Weights: the trunk's (see weights.ts; the embedding is never used as a head) plus `score.weight`
 * (D, 1), which starts at zero, so an untrained model says ½ to every pair.
 */
export const preferenceKind = z.enum(['pairwise', 'bt'])
export type PreferenceKind = z.infer<typeof preferenceKind>

export interface PreferenceConfig {
  kind: PreferenceKind
  /** The trunk; `tiedEmbeddings` is true (there is no output head to untie). */
  trunk: DecoderConfig
}

export function resolvePreferenceConfig(kind: PreferenceKind, trunk: z.input<typeof decoderConfigSchema>): PreferenceConfig {
  return { kind, trunk: decoderConfigSchema.parse({ ...trunk, tiedEmbeddings: true }) }
}
