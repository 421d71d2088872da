import { NashlabError } from '../../api/errors'
import type { NashAlgorithm } from '../../api/nashmd'
import type { DecoderConfig } from '../../models/config'
import { NativeRunner } from '../../generate/runner'
import type { SamplingSettings } from '../../generate/sampling'
import type { Weights } from '../../models/weights'
import type { Rng } from '../../runtime/rng'
import type { SessionRequest } from '../../runtime/session'
import type { OptimizerConfig } from '../optimizer'
import { applyMissingEosPenalty, nashAdvantages, type KlEstimator } from './advantage'
import { judgePairs, type JudgedPrompt, type PairJudge, type PairOrder, type RewardJudge } from './judge'
import { PolicyTrainer, type WeightedRow } from './policy-trainer'
import { opponentMixture, rollout, type Rollout } from './rollout'

/**
 * One trainer for the whole family, on token ids. A step, for a batch of prompts x_b:
 *   1. y_b ~ π_θ(·|x_b)                                   (sampling, KV cache; log π_θ(y_bn) as sampled)
 *   2. y′_b ~ logits (1 − β_t)·z_o + β_t·z_μ               (two sessions, two KV caches; o = π_θ, or π_θ̄ for EMA)
 *   3. p_b = P(y_b ≻ y′_b | x_b)                           (the judge, pair order per option)
 *      then p_b − c for a y_b that never produced EOS      (missing-EOS penalty, policy completions only)
 *   4. log μ(y_bn)                                         (the reference's eval program)
 *   5. A_bn = (p_b − ½) − τ·Σ_{m≥n} (log π_θ − log μ)(y_bm) (reward-to-go; per-token option: only m = n)
 *      on tokens up to and including the first EOS
 *   6. θ ← AdamW(θ, ∇ −(1/B) Σ_b Σ_n sg[A_bn] log π_θ(y_bn))  (the train-step program)
 *   7. nash-ema-pg: θ̄ ← α·θ̄ + (1 − α)·θ
 * rlhf replaces 2–3 with r_b = r(x_b, y_b) and p_b − ½ with r_b − baseline_b (leave-one-out mean of
 * the other rows' rewards, or 0). No gradient flows through y′, p or r: they are inputs.
 */
export interface TrainerModels {
  policy: { config: DecoderConfig; weights: Weights }
  reference: { config: DecoderConfig; weights: Weights }
  /** The nash family's judge. */
  judge?: PairJudge
  /** rlhf's reward. */
  reward?: RewardJudge
  /** Ids that end a completion (kept as its last token); none: every completion runs to maxTokens. */
  stopIds: readonly number[]
  padId: number
  /** Ids the tokenizer defines (sampling stays below it). */
  vocabSize: number
}

export interface TrainerSettings {
  algorithm: NashAlgorithm
  tau: number
  kl: KlEstimator
  missingEosPenalty: number
  pairOrder: PairOrder
  rewardBaseline: 'leave-one-out' | 'none'
  emaDecay: number
  batch: number
  microBatch: number
  maxTokens: number
  maxPromptTokens: number
  temperature: number
  optimizer: OptimizerConfig
  clipNorm: number
  /** Sessions of the samplers, judges and the train step (provider, threads). */
  session?: SessionRequest
}

/** What a trainer starts from: fresh (the policy's weights) or a checkpoint. */
export interface TrainerStart {
  weights?: Weights
  optimizer?: Map<string, Float32Array>
  ema?: Weights
}

/** One step's results. */
export interface StepReport {
  metrics: Record<string, number>
  /** The policy's completions of the step (for tests and debugging). */
  policy: Rollout
  opponent: Rollout | null
  /** p_b after the penalty (or the rewards, for rlhf). */
  scores: Float64Array
}

const now = () => performance.now() / 1000

export class SequenceTrainer {
  private constructor(
    readonly models: TrainerModels,
    readonly settings: TrainerSettings,
    private readonly policyRunner: NativeRunner,
    private readonly referenceRunner: NativeRunner,
    private readonly emaRunner: NativeRunner | null,
    private readonly trainer: PolicyTrainer,
    private ema: Weights | null,
  ) {}

  static async create(models: TrainerModels, settings: TrainerSettings, start: TrainerStart = {}): Promise<SequenceTrainer> {
    const family = settings.algorithm !== 'rlhf'
    if (family && !models.judge) throw new NashlabError('invalid_input', `${settings.algorithm} needs a preference model to judge pairs.`, { field: 'preference' })
    if (!family && !models.reward) throw new NashlabError('invalid_input', 'rlhf needs a Bradley–Terry reward model.', { field: 'preference' })
    const weights = start.weights ?? models.policy.weights
    const session = settings.session ?? {}
    const policyRunner = await NativeRunner.create(models.policy.config, weights, { weights: 'inputs', session: { name: 'the policy', ...session } })
    const referenceRunner = await NativeRunner.create(models.reference.config, models.reference.weights, { session: { name: 'the reference', ...session } })
    let ema: Weights | null = null
    let emaRunner: NativeRunner | null = null
    if (settings.algorithm === 'nash-ema-pg') {
      ema = copyWeights(start.ema ?? weights)
      emaRunner = await NativeRunner.create(models.policy.config, ema, { weights: 'inputs', session: { name: 'the EMA policy', ...session } })
    }
    const trainer = await PolicyTrainer.create(models.policy.config, weights, {
      batch: settings.batch,
      microBatch: settings.microBatch,
      maxPromptTokens: settings.maxPromptTokens,
      maxTokens: settings.maxTokens,
      optimizer: settings.optimizer,
      clipNorm: settings.clipNorm,
      threads: session.intraOpNumThreads,
      session: { ...session, name: 'the policy train step' },
      optimizerState: start.optimizer,
    })
    return new SequenceTrainer(models, settings, policyRunner, referenceRunner, emaRunner, trainer, ema)
  }

  /** Warnings of the sessions (a provider that fell back to the CPU). */
  get warnings(): string[] {
    return [...new Set([...this.policyRunner.warnings, ...this.referenceRunner.warnings, ...(this.emaRunner?.warnings ?? []), ...this.trainer.warnings])]
  }

  /** Prompts cut to their last `maxPromptTokens` ids. */
  fitPrompt(ids: readonly number[]): number[] {
    if (ids.length === 0) throw new NashlabError('invalid_input', 'A prompt has no tokens; a decoder needs at least one token to continue.')
    return ids.length > this.settings.maxPromptTokens ? ids.slice(ids.length - this.settings.maxPromptTokens) : [...ids]
  }

  private sampling(): SamplingSettings {
    return { temperature: this.settings.temperature, topK: 0, topP: 1, minP: 0 }
  }

  /** Sample completions of `prompts` from the current policy (or the reference). */
  sample(prompts: readonly (readonly number[])[], rng: Rng, from: 'policy' | 'reference' = 'policy', check?: () => void): Promise<Rollout> {
    const runner = from === 'policy' ? this.policyRunner : this.referenceRunner
    return rollout([{ runner, weight: 1 }], prompts, this.rolloutOptions(rng, check))
  }

  private rolloutOptions(rng: Rng, check?: () => void) {
    return { maxTokens: this.settings.maxTokens, settings: this.sampling(), rng, stopIds: this.models.stopIds, padId: this.models.padId, vocabSize: this.models.vocabSize, check }
  }

  /** One optimizer step on `batch` prompts with mixture coefficient β and learning rate lr. */
  async step(batch: readonly JudgedPrompt[], beta: number, learningRate: number, rng: Rng, check?: () => void): Promise<StepReport> {
    const s = this.settings
    const B = s.batch
    if (batch.length !== B) throw new NashlabError('internal', `A step needs ${B} prompts, got ${batch.length}.`)
    const judged = batch.map((p) => ({ ids: this.fitPrompt(p.ids), text: p.text }))
    const prompts = judged.map((p) => p.ids)
    const t0 = now()
    const y = await this.sample(prompts, rng, 'policy', check)
    const t1 = now()

    let opponent: Rollout | null = null
    let raw: Float64Array
    let t2 = t1
    if (s.algorithm === 'rlhf') {
      raw = await this.models.reward!.reward(judged, y.tokens)
    } else {
      const opponentRunner = s.algorithm === 'nash-ema-pg' ? this.emaRunner! : this.policyRunner
      opponent = await rollout(opponentMixture(opponentRunner, this.referenceRunner, beta), prompts, this.rolloutOptions(rng, check))
      t2 = now()
      raw = await judgePairs(this.models.judge!, s.pairOrder, rng, judged, y.tokens, opponent.tokens)
    }
    const t3 = now()

    const referenceLogProbs = await this.referenceRunner.score(prompts.map((p, b) => [...p, ...y.tokens[b]]))
    const t4 = now()

    // (B, T) blocks over completion positions; rows end at their first EOS (or at maxTokens).
    const T = s.maxTokens
    const policyLp = new Float64Array(B * T)
    const referenceLp = new Float64Array(B * T)
    const mask = new Uint8Array(B * T)
    const hasEos = new Uint8Array(B)
    for (let b = 0; b < B; b++) {
      const tokens = y.tokens[b]
      const ref = referenceLogProbs[b].subarray(prompts[b].length - 1)
      for (let n = 0; n < tokens.length; n++) {
        policyLp[b * T + n] = y.logprobs[b][n]
        referenceLp[b * T + n] = ref[n]
        mask[b * T + n] = 1
      }
      hasEos[b] = y.finish[b] === 'eos' ? 1 : 0
    }
    const scores = applyMissingEosPenalty(raw, hasEos, s.missingEosPenalty)
    const baseline = s.algorithm === 'rlhf' ? rewardBaselines(scores, s.rewardBaseline) : 0.5
    const { weights, klPerSequence } = nashAdvantages({ scores, baseline, policyLogProbs: policyLp, referenceLogProbs: referenceLp, mask, batch: B, length: T, tau: s.tau, kl: s.kl })

    const rows: WeightedRow[] = prompts.map((prompt, b) => ({ prompt, completion: y.tokens[b], weights: weights.subarray(b * T, b * T + y.tokens[b].length) }))
    const result = await this.trainer.step(rows, learningRate)
    if (!Number.isFinite(result.loss)) {
      throw new NashlabError('internal', `The ${s.algorithm} loss became ${result.loss} (learning rate ${learningRate}); lower the learning rate or clip gradients.`)
    }
    const next = this.trainer.weights()
    this.policyRunner.setWeights(next)
    if (this.ema && this.emaRunner) {
      emaUpdate(this.ema, next, s.emaDecay)
      this.emaRunner.setWeights(this.ema)
    }
    const t5 = now()

    // loss = loss/score + loss/kl, the two parts of −(1/B) Σ_b Σ_n A_bn · log π(y_bn) at sampling time.
    let lossScore = 0
    let lossKl = 0
    let sampledNll = 0
    let tokens = 0
    for (let b = 0; b < B; b++) {
      const base = scores[b] - (typeof baseline === 'number' ? baseline : baseline[b])
      for (let n = 0; n < y.tokens[b].length; n++) {
        const lp = policyLp[b * T + n]
        lossScore -= base * lp
        lossKl -= (weights[b * T + n] - base) * lp
        sampledNll -= lp
      }
      tokens += y.tokens[b].length
    }
    const opponentTokens = opponent ? opponent.tokens.reduce((a, t) => a + t.length, 0) : 0
    const metrics: Record<string, number> = {
      loss: result.loss,
      'loss/score': lossScore / B,
      'loss/kl': lossKl / B,
      'objective/kl': mean(klPerSequence),
      'objective/sampled_nll': sampledNll / B,
      grad_norm: result.gradNorm,
      learning_rate: learningRate,
      tau: s.tau,
      'completions/mean_length': tokens / B,
      'val/model_contain_eos_token': mean(hasEos),
      'time/sample_policy': t1 - t0,
      'time/score': t3 - t2,
      'time/reference': t4 - t3,
      'time/train': t5 - t4,
      'time/step': t5 - t0,
      'throughput/tokens_per_second': (tokens + opponentTokens) / Math.max(1e-9, t5 - t0),
    }
    if (s.algorithm === 'rlhf') {
      metrics['rewards/mean'] = mean(raw)
    } else {
      metrics['rewards/probabilities'] = mean(raw)
      metrics.beta = beta
      metrics['time/sample_opponent'] = t2 - t1
      metrics['val/opponent_contain_eos_token'] = mean(opponent!.finish.map((f) => (f === 'eos' ? 1 : 0)))
    }
    return { metrics, policy: y, opponent, scores }
  }

  /**
   * The held-out win rate against the reference: mean P(y ≻ y_μ | x) over the prompts, y ~ π_θ and
   * y_μ ~ μ (given, so every evaluation compares against the same reference completions), with the
   * judge's pair-order option.
   */
  async winRate(prompts: readonly JudgedPrompt[], referenceCompletions: readonly (readonly number[])[], judge: PairJudge, rng: Rng): Promise<number> {
    if (prompts.length === 0) return Number.NaN
    const fitted = prompts.map((p) => ({ ids: this.fitPrompt(p.ids), text: p.text }))
    const y = await this.sample(fitted.map((p) => p.ids), rng)
    const p = await judgePairs(judge, this.settings.pairOrder, rng, fitted, y.tokens, referenceCompletions)
    return mean(p)
  }

  /** The policy's current weights (the train program's arrays: copy before keeping). */
  weights(): Weights {
    return this.trainer.weights()
  }

  optimizerState(): Map<string, { data: Float32Array; shape: number[] }> {
    return this.trainer.optimizerState()
  }

  /** The EMA weights θ̄ (nash-ema-pg only). */
  emaWeights(): Weights | null {
    return this.ema
  }

  /** log π_θ of given completions (tests and diagnostics). */
  policyScores(sequences: readonly (readonly number[])[]): Promise<Float32Array[]> {
    return this.policyRunner.score(sequences)
  }

  async release(): Promise<void> {
    await this.policyRunner.release()
    await this.referenceRunner.release()
    await this.emaRunner?.release()
  }
}

/** rlhf's baseline of each row: the mean reward of the other rows (leave-one-out), or 0. */
export function rewardBaselines(rewards: ArrayLike<number>, kind: 'leave-one-out' | 'none'): Float64Array {
  const n = rewards.length
  const out = new Float64Array(n)
  if (kind === 'none' || n < 2) return out
  let sum = 0
  for (let i = 0; i < n; i++) sum += rewards[i]
  for (let i = 0; i < n; i++) out[i] = (sum - rewards[i]) / (n - 1)
  return out
}

/** θ̄ ← α·θ̄ + (1 − α)·θ, in place. */
export function emaUpdate(ema: Weights, weights: Weights, decay: number): void {
  for (const [name, target] of ema) {
    const source = weights.get(name)!
    for (let i = 0; i < target.length; i++) target[i] = decay * target[i] + (1 - decay) * source[i]
  }
}

function copyWeights(weights: Weights): Weights {
  return new Map([...weights].map(([k, v]) => [k, Float32Array.from(v)]))
}

function mean(values: ArrayLike<number>): number {
  let s = 0
  for (let i = 0; i < values.length; i++) s += values[i]
  return values.length > 0 ? s / values.length : Number.NaN
}
