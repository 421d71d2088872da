import { z } from 'zod'
import { providerChoice } from './devices'

/**
 * The configuration of a Nash-MD-PG-family run (one typed object, every field with its default and
 * a one-line help; a run stores the whole resolved object). The math is in DESIGN.md, "Deep
 * Nash-MD-PG"; where DESIGN leaves a choice, the choice is a field here.
 *
 * Algorithms (one code path, native/train/nashmd/):
 * - nash-md-pg: y ~ π_θ, y′ ~ the token-level geometric mixture (1 − β)·z_π + β·z_μ;
 * - self-play: the same with β = 0 (y′ ~ π_θ); best-response: β = 1 (y′ ~ μ);
 * - nash-ema-pg: y′ ~ π_θ̄, the policy with EMA parameters θ̄ ← α·θ̄ + (1 − α)·θ (β mixes in μ on top, default 0);
 * - rlhf: a Bradley–Terry reward r(x, y) and KL-regularised REINFORCE with the same sampler and KL term.
 *
 * Defaults, and why they differ from the literature's (τ ≈ 0.008, β ∈ [0.125, 0.375], lr ≈ 3e-5 for
 * 0.5–1B-parameter T5/PaLM models with completions of ~100 tokens):
 * - τ = 0.05: Nashlab's policies are small (d 64–256) and start from a weak SFT model, so the
 *   preference model is easy to exploit; a stronger pull to μ keeps completions readable. KL is
 *   summed over a completion, so with 32-token completions a KL of 2 nats costs 0.1 in preference.
 * - β = 0.25: the middle of the range the paper found best (β = 0 and 1 under-perform); for
 *   nash-ema-pg 0, its opponent being the EMA policy itself as in the paper.
 * - lr = 1e-4 (AdamW): a model of ~1M parameters moves far less per step than a 1B one at the same
 *   rate; 1e-4 moves it visibly in a few hundred steps without leaving μ's support, measured on the
 *   restaurant demo. Weight decay 0: the KL term already pulls towards μ, decay would pull towards 0.
 * - β₂ = 0.999: policy-gradient estimates are noisy; a long second-moment average steadies the step.
 */
export const nashAlgorithm = z.enum(['nash-md-pg', 'self-play', 'best-response', 'nash-ema-pg', 'rlhf'])
export type NashAlgorithm = z.infer<typeof nashAlgorithm>

/** A model by id or name. */
const model = z.union([z.number().int().positive(), z.string().trim().min(1)])

export const betaPiece = z
  .object({
    step: z.number().int().min(0).describe('First step (0-based) this β applies from'),
    beta: z.number().min(0).max(1).describe('β from that step on'),
  })
  .strict()
export type BetaPiece = z.infer<typeof betaPiece>

export const nashConfigFields = {
  algorithm: nashAlgorithm.default('nash-md-pg').describe('Which member of the family: the opponent y′ is drawn from the β-mixture (nash-md-pg), the policy (self-play), the reference (best-response) or the EMA policy (nash-ema-pg); rlhf maximises a Bradley–Terry reward instead'),
  // Models and data
  policy: model.describe('The policy model to fine-tune (its weights start the run)'),
  reference: model.optional().describe('The reference policy μ of the KL term and the mixture; default: the policy as it starts'),
  preference: model.describe('The judge P(y ≻ y′ | x): a pairwise preference model or a Bradley–Terry model (for rlhf: the reward model)'),
  evalJudge: model.optional().describe('The judge of the held-out win rate: a preference or reward model, or "oracle" (the demo\'s rater population, exact expected preference); default: the training judge (pick one judge to compare runs fairly)'),
  dataset: z.string().trim().min(1).describe('The dataset whose prompts the policy answers'),
  // The game
  tau: z.number().min(0).max(10).default(0.05).describe('τ, the KL regularisation towards μ (objective P(π ≻ π′) − τ·KL(π‖μ)); in TRL this was called beta'),
  beta: z.number().min(0).max(1).optional().describe('β, the mixture coefficient: y′ samples from logits (1 − β)·z_o + β·z_μ, o the policy (0 = self-play, 1 = best response) or the EMA policy; default 0.25 (nash-ema-pg: 0); in TRL mixture_coef'),
  betaSchedule: z.enum(['constant', 'linear', 'cosine', 'piecewise']).default('constant').describe('How β changes with the step: constant, linear or cosine from beta to betaEnd, or piecewise from betaPieces'),
  betaEnd: z.number().min(0).max(1).optional().describe('β at the last step for the linear and cosine schedules; default: beta'),
  betaPieces: z.array(betaPiece).max(100).optional().describe('Piecewise β: each entry sets β from its step on (the first entry should start at step 0)'),
  emaDecay: z.number().min(0).lt(1).default(0.95).describe('α of nash-ema-pg: after each step θ̄ ← α·θ̄ + (1 − α)·θ'),
  kl: z.enum(['reward-to-go', 'per-token']).default('reward-to-go').describe('KL estimator: reward-to-go (unbiased: each token carries the log-ratios of itself and what follows) or per-token (TRL\'s; biased)'),
  missingEosPenalty: z.number().min(0).max(10).default(0).describe('Subtracted from the score of a policy completion that never produced EOS (0 = none; the objective is then no longer the stated one)'),
  pairOrder: z.enum(['auto', 'random', 'average', 'fixed']).default('auto').describe('Order of the pair the judge sees: auto (fixed for judges antisymmetric by construction, else random), random, average of both orders, or fixed'),
  rewardBaseline: z.enum(['leave-one-out', 'none']).default('leave-one-out').describe('rlhf only: subtract the mean reward of the other completions of the batch (unbiased, lower variance), or nothing'),
  // Sampling
  maxTokens: z.number().int().min(1).max(1024).default(32).describe('Completion length: tokens sampled per completion at most (EOS ends one earlier)'),
  maxPromptTokens: z.number().int().min(1).max(8192).optional().describe('Prompts keep their last this-many tokens; default: min(64, context − maxTokens)'),
  temperature: z.number().positive().max(10).default(1).describe('Sampling temperature of y and y′; only 1 keeps the estimator unbiased (any other value is a logged deviation)'),
  // Optimisation
  steps: z.number().int().min(1).max(1_000_000).default(200).describe('Optimizer steps'),
  batch: z.number().int().min(1).max(4096).default(16).describe('Prompts per step (the effective batch B_eff; the gradient is normalised over it)'),
  microBatch: z.number().int().min(1).max(4096).optional().describe('Rows per forward/backward pass; batch must be a multiple (the passes are accumulated); default: batch'),
  optimizer: z.enum(['adamw', 'sgd']).default('adamw').describe('AdamW (decoupled weight decay) or SGD (with momentum)'),
  lr: z.number().positive().max(10).default(1e-4).describe('Peak learning rate'),
  schedule: z.enum(['constant', 'linear', 'cosine']).default('constant').describe('Learning-rate schedule after warmup: constant, linear or cosine decay to minLr'),
  minLr: z.number().min(0).max(10).optional().describe('Learning rate at the last step for linear and cosine decay; default lr / 10'),
  warmup: z.number().int().min(0).default(0).describe('Steps of linear warmup from 0'),
  beta1: z.number().min(0).lt(1).default(0.9).describe('AdamW β₁ (first-moment decay; not the mixture β)'),
  beta2: z.number().min(0).lt(1).default(0.999).describe('AdamW β₂ (second-moment decay)'),
  epsilon: z.number().positive().default(1e-8).describe('AdamW ε'),
  weightDecay: z.number().min(0).max(1).default(0).describe('Weight decay of matrices and embeddings (AdamW: decoupled; SGD: L2)'),
  momentum: z.number().min(0).lt(1).default(0.9).describe('SGD momentum (0 = none)'),
  clipNorm: z.number().min(0).default(1).describe('Clip the global gradient norm to this (0 = no clipping)'),
  seed: z.number().int().min(0).default(0).describe('Seeds the prompt order, every sample and the held-out split: the same seed gives the same run'),
  // Evaluation and checkpoints
  evalPrompts: z.number().int().min(0).max(1024).default(16).describe('Prompts held out of training for the win rate against the reference (0 = none)'),
  evalEvery: z.number().int().min(0).default(25).describe('Measure the held-out win rate against μ every this many steps (0 = only at the end)'),
  samplePrompts: z.number().int().min(0).max(16).default(3).describe('Held-out prompts whose completions are shown beside the charts'),
  samplesEvery: z.number().int().min(0).default(25).describe('Show sample completions every this many steps (0 = only at the end)'),
  checkpointEvery: z.number().int().min(1).default(50).describe('Write a checkpoint every this many steps (and on cancel and at the end)'),
  keepCheckpoints: z.number().int().min(1).default(3).describe('Keep this many newest checkpoints'),
  device: providerChoice.default('cpu').describe('Where sampling, scoring and the train step run: cpu, auto, cuda, dml or webgpu (falls back to CPU with a warning)'),
  threads: z.number().int().min(1).max(256).optional().describe('ONNX Runtime threads per session; default: every core'),
}

export const nashConfigSchema = z.object(nashConfigFields).strict()
export type NashConfigInput = z.input<typeof nashConfigSchema>
export type NashConfigParsed = z.output<typeof nashConfigSchema>

/** The resolved config a run stores: every default applied, models and dataset named by id and name. */
export interface NashConfig extends Omit<NashConfigParsed, 'policy' | 'reference' | 'preference' | 'evalJudge' | 'microBatch' | 'minLr' | 'beta' | 'betaEnd' | 'maxPromptTokens'> {
  policy: { id: number; name: string }
  reference: { id: number; name: string }
  preference: { id: number; name: string; kind: string }
  /** kind "oracle" (id 0): the demo's rater population (native/demo/oracle.ts), not a model. */
  evalJudge: { id: number; name: string; kind: string }
  dataset: string
  beta: number
  microBatch: number
  minLr: number
  betaEnd: number
  betaPieces?: BetaPiece[]
  maxPromptTokens: number
}

/** One field of the run form: what the renderer needs to draw, validate and explain it. */
export interface ConfigField {
  name: string
  group: 'algorithm' | 'models' | 'game' | 'sampling' | 'optimisation' | 'evaluation'
  /** One line. */
  help: string
  kind: 'number' | 'integer' | 'enum' | 'model' | 'dataset' | 'pieces'
  default?: unknown
  required: boolean
  choices?: string[]
  minimum?: number
  maximum?: number
  /** The bound itself is excluded. */
  exclusiveMaximum?: boolean
  /** Which algorithms use the field (absent: all). */
  algorithms?: NashAlgorithm[]
}
