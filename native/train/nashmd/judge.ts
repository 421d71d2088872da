import { NashlabError } from '../../api/errors'
import { leftPadded } from '../../models/padding'
import { fitPair, preferenceProgram, rewardProgram, type PairSequences } from '../../models/preference'
import { rowFeeds, runPairs } from '../../models/preference-model'
import type { PreferenceConfig } from '../../models/preference-config'
import { encodeCompletion, encodePrompt, type PromptTemplate } from '../../models/tokenizer/template'
import type { Tokenizer } from '../../models/tokenizer/tokenizer'
import type { Weights } from '../../models/weights'
import { encodeModel } from '../../onnx/encode'
import type { InferenceSession } from '../../runtime/ort'
import type { Rng } from '../../runtime/rng'
import { createSession, type SessionRequest } from '../../runtime/session'

/**
 * Judges of completions. A prompt comes as the policy's ids (under its template) and its text; a
 * completion as the policy sampled it (ids, a final EOS dropped: the judge's sequences put their own
 * separators). A judge with its own tokenizer reads the texts through a `TextBridge` (prompt text
 * under the judge's template, completion decoded by the policy's tokenizer and encoded by the
 * judge's), as it saw text when it was trained; without a bridge it reads the policy's ids as they are
 * (the judge shares the policy's tokenizer).
 *
 * A `PairJudge` gives P(a ≻ b | x) per row; `antisymmetric` says whether P(a ≻ b) = 1 − P(b ≻ a)
 * holds by construction (Nashlab's pairwise and Bradley–Terry programs do), which decides what the
 * pair-order option `auto` does. A `RewardJudge` gives the Bradley–Terry reward r(x, y) (rlhf).
 */
export interface JudgedPrompt {
  /** The prompt as the policy reads it (template applied, cut to the run's prompt length). */
  ids: readonly number[]
  /** The prompt's text as the dataset holds it. */
  text: string
}

type Rows = readonly (readonly number[])[]

export interface PairJudge {
  readonly antisymmetric: boolean
  judge(prompts: readonly JudgedPrompt[], a: Rows, b: Rows): Promise<Float64Array>
  release(): Promise<void>
}

export interface RewardJudge {
  reward(prompts: readonly JudgedPrompt[], completions: Rows): Promise<Float64Array>
  release(): Promise<void>
}

/** How a judge with its own tokenizer reads the policy's prompts and completions. */
export interface TextBridge {
  /** The judge's ids of a prompt text (its template applied). */
  prompt(text: string): number[]
  /** The judge's ids of a completion the policy sampled (its text without special tokens such as EOS). */
  completion(ids: readonly number[]): number[]
}

export type PairOrder = 'auto' | 'random' | 'average' | 'fixed'

/**
 * P(y ≻ y′ | x) under the pair-order option:
 * - fixed: the judge sees (y, y′);
 * - random: each row is shown as (y, y′) or (y′, y) with probability ½ (one `rng.float()` per row),
 *   and a swapped row's answer is read as 1 − P(y′ ≻ y) — so a judge with a position bias is
 *   unbiased on average;
 * - average: ½ (P(y ≻ y′) + 1 − P(y′ ≻ y)), both orders judged (twice the cost);
 * - auto: fixed for a judge antisymmetric by construction (both orders give the same), else random.
 */
export async function judgePairs(
  judge: PairJudge,
  order: PairOrder,
  rng: Rng,
  prompts: readonly JudgedPrompt[],
  y: Rows,
  y2: Rows,
): Promise<Float64Array> {
  const mode = order === 'auto' ? (judge.antisymmetric ? 'fixed' : 'random') : order
  if (mode === 'fixed') return judge.judge(prompts, y, y2)
  if (mode === 'average') {
    const [forward, backward] = [await judge.judge(prompts, y, y2), await judge.judge(prompts, y2, y)]
    return forward.map((p, i) => 0.5 * (p + 1 - backward[i]))
  }
  const swapped = y.map(() => rng.float() < 0.5)
  const first = y.map((row, i) => (swapped[i] ? y2[i] : row))
  const second = y.map((row, i) => (swapped[i] ? row : y2[i]))
  const p = await judge.judge(prompts, first, second)
  return p.map((v, i) => (swapped[i] ? 1 - v : v))
}

/** Drop one final EOS (the judge's sequences put their own separators). */
function withoutEos(tokens: readonly number[], eos: number): readonly number[] {
  return tokens.length > 0 && tokens[tokens.length - 1] === eos ? tokens.slice(0, -1) : tokens
}

/**
 * The two sequences of a pair, as native/models/preference.ts's `pairSequences` builds them from
 * text, here from ids (`fitPair`): pairwise `x EOS a EOS b EOS` and `x EOS b EOS a EOS`;
 * Bradley–Terry `x EOS a EOS` and `x EOS b EOS`, fitted to the context. A final EOS of a or b is dropped.
 */
export function pairTokens(config: PreferenceConfig, eos: number, x: readonly number[], a: readonly number[], b: readonly number[]): PairSequences {
  return fitPair(config.kind, config.trunk.context, eos, x, withoutEos(a, eos), withoutEos(b, eos))
}

/** A pair as the judge reads it: its own ids through the bridge, or the policy's ids. */
function read(bridge: TextBridge | undefined, x: JudgedPrompt, a: readonly number[], b: readonly number[]): [readonly number[], readonly number[], readonly number[]] {
  if (!bridge) return [x.ids, a, b]
  return [bridge.prompt(x.text), bridge.completion(a), bridge.completion(b)]
}

/** What Nashlab's judges hold: the model's config and session, its EOS id (its separator) and how it reads text. */
abstract class ModelJudge {
  protected constructor(
    protected readonly config: PreferenceConfig,
    protected readonly session: InferenceSession,
    protected readonly eos: number,
    protected readonly bridge: TextBridge | undefined,
    readonly warnings: string[],
  ) {}

  release(): Promise<void> {
    return this.session.release()
  }
}

/** Nashlab's preference model (pairwise or Bradley–Terry) as a judge. */
export class PreferenceJudge extends ModelJudge implements PairJudge {
  readonly antisymmetric = true

  /** `eos`: the judge's EOS id (its separator); `bridge`: how it reads text, when its tokenizer is not the policy's. */
  static async create(config: PreferenceConfig, weights: Weights, eos: number, options: { session?: SessionRequest; bridge?: TextBridge } = {}): Promise<PreferenceJudge> {
    const created = await createSession(encodeModel(preferenceProgram(config, weights)), { name: 'the preference model', ...options.session })
    return new PreferenceJudge(config, created.session, eos, options.bridge, created.warnings)
  }

  async judge(prompts: readonly JudgedPrompt[], a: Rows, b: Rows): Promise<Float64Array> {
    if (prompts.length === 0) return new Float64Array(0)
    const pairs = prompts.map((x, i) => pairTokens(this.config, this.eos, ...read(this.bridge, x, a[i], b[i])))
    return Float64Array.from((await runPairs(this.session, pairs)).probability)
  }
}

/** A Bradley–Terry reward model r(x, y) on the sequence `x EOS y EOS` (rlhf's reward). */
export class RewardModelJudge extends ModelJudge implements RewardJudge {
  static async create(config: PreferenceConfig, weights: Weights, eos: number, options: { session?: SessionRequest; bridge?: TextBridge } = {}): Promise<RewardModelJudge> {
    if (config.kind !== 'bt') throw new NashlabError('invalid_input', 'rlhf needs a Bradley–Terry reward model; a pairwise preference model gives no reward of one completion.', { field: 'preference' })
    const created = await createSession(encodeModel(rewardProgram(config, weights)), { name: 'the reward model', ...options.session })
    return new RewardModelJudge(config, created.session, eos, options.bridge, created.warnings)
  }

  async reward(prompts: readonly JudgedPrompt[], completions: Rows): Promise<Float64Array> {
    if (prompts.length === 0) return new Float64Array(0)
    // pairTokens' Bradley–Terry `first` row is exactly `x EOS y EOS`, fitted to the context.
    const rows = prompts.map((x, i) => pairTokens(this.config, this.eos, ...read(this.bridge, x, completions[i], [])).first)
    const out = await this.session.run(rowFeeds(leftPadded(rows)))
    return Float64Array.from(out.reward.data as Float32Array)
  }
}

/** The text bridge between a policy's tokenizer and a judge's (tokenizer and template). */
export function textBridge(policy: Tokenizer, judge: Tokenizer, template: PromptTemplate): TextBridge {
  return {
    prompt: (text) => encodePrompt(judge, template, text),
    completion: (ids) => encodeCompletion(judge, policy.decode([...ids], { skipSpecialTokens: true }), false),
  }
}
