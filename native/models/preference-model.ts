import { NashlabError } from '../api/errors'
import { encodeModel } from '../onnx/encode'
import { ort, type InferenceSession, type Tensor } from '../runtime/ort'
import { createSession, type SessionRequest } from '../runtime/session'
import { leftPadded, type LeftPadded } from './padding'
import { pairSequences, preferenceProgram, type PairSequences } from './preference'
import type { PreferenceConfig } from './preference-config'
import type { PromptTemplate } from './tokenizer/template'
import type { Tokenizer } from './tokenizer/tokenizer'
import type { Weights } from './weights'

/** One pair to judge: P(a ≻ b | prompt). */
export interface PairToScore {
  prompt: string
  a: string
  b: string
}

/**
 * A trained preference model (pairwise or Bradley–Terry) ready to judge pairs:
 *
 *   const p = await model.score('Where should we eat?', 'Tacos.', 'Anywhere.')   // P(a ≻ b | x) in (0, 1)
 *   const ps = await model.scoreBatch(pairs)                                       // Float64Array, one per pair
 *
 * The pairwise model is antisymmetric by construction (score(x, a, b) = 1 − score(x, b, a), and ½ for
 * a = b), so no averaging over orders is needed. The Bradley–Terry model's P is σ(r(x, a) − r(x, b)).
 */
export class PreferenceModel {
  private constructor(
    readonly config: PreferenceConfig,
    private readonly session: InferenceSession,
    readonly tokenizer: Tokenizer,
    readonly template: PromptTemplate,
    readonly warnings: string[],
  ) {}

  static async create(config: PreferenceConfig, weights: Weights, tokenizer: Tokenizer, template: PromptTemplate, session: SessionRequest = {}): Promise<PreferenceModel> {
    const created = await createSession(encodeModel(preferenceProgram(config, weights)), { name: 'the preference model', ...session })
    return new PreferenceModel(config, created.session, tokenizer, template, created.warnings)
  }

  get kind() {
    return this.config.kind
  }

  /** P(a ≻ b | prompt). */
  async score(prompt: string, a: string, b: string): Promise<number> {
    return (await this.scoreBatch([{ prompt, a, b }]))[0]
  }

  /** P(a ≻ b | prompt) of each pair, batched (`batch` pairs per run, default 32). */
  async scoreBatch(pairs: readonly PairToScore[], options: { batch?: number } = {}): Promise<Float64Array> {
    const out = new Float64Array(pairs.length)
    const batch = options.batch ?? 32
    for (let start = 0; start < pairs.length; start += batch) {
      const chunk = pairs.slice(start, start + batch)
      const logits = await this.logits(chunk)
      logits.forEach((z, i) => (out[start + i] = 1 / (1 + Math.exp(-z))))
    }
    return out
  }

  /** The logit of each pair: f(x, a, b) − f(x, b, a), or r(x, a) − r(x, b). */
  async logits(pairs: readonly PairToScore[]): Promise<Float32Array> {
    if (pairs.length === 0) return new Float32Array(0)
    const sequences = pairs.map((p) => pairSequences(this.config.kind, this.tokenizer, this.template, this.config.trunk.context, p.prompt, p.a, p.b))
    return (await runPairs(this.session, sequences)).logit
  }

  release(): Promise<void> {
    return this.session.release()
  }
}

/** The three inputs of left-padded rows, (rows, width) each, under `prefix` (`swapped_` for a pair's second rows). */
export function rowFeeds(padded: LeftPadded, prefix = ''): Record<string, Tensor> {
  const shape = [padded.ids.length / padded.width, padded.width]
  return {
    [`${prefix}input_ids`]: new ort.Tensor('int64', padded.ids, shape),
    [`${prefix}attention_mask`]: new ort.Tensor('int64', padded.mask, shape),
    [`${prefix}position_ids`]: new ort.Tensor('int64', padded.positions, shape),
  }
}

/**
 * One run of a pair program (preference.ts's `preferenceProgram`) over pairs of sequences, both rows
 * of every pair left-padded to one width: logit = score(first) − score(second) and probability =
 * σ(logit), (pairs). What the preference model and Nash-MD-PG's judge both run.
 */
export async function runPairs(session: InferenceSession, pairs: readonly PairSequences[]): Promise<{ logit: Float32Array; probability: Float32Array }> {
  const width = Math.max(...pairs.flatMap((p) => [p.first.length, p.second.length]))
  const out = await session.run({
    ...rowFeeds(leftPadded(pairs.map((p) => p.first), width)),
    ...rowFeeds(leftPadded(pairs.map((p) => p.second), width), 'swapped_'),
  })
  const logit = out.logit.data as Float32Array
  const probability = out.probability.data as Float32Array
  if (logit.length !== pairs.length) throw new NashlabError('internal', `The preference model returned ${logit.length} logits for ${pairs.length} pairs.`)
  return { logit, probability }
}
