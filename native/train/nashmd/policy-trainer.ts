import { NashlabError } from '../../api/errors'
import type { DecoderConfig } from '../../models/config'
import { weightSpecs, type Weights } from '../../models/weights'
import { ort } from '../../runtime/ort'
import type { OptimizerConfig } from '../optimizer'
import type { ProgramSessionOptions } from '../program-session'
import { Trainer, type Feeds, type StepResult } from '../trainer'
import { policyObjective, TOKEN_WEIGHTS } from './objective'

/** One trained row: the prompt's ids, the completion's ids and a weight per completion token. */
export interface WeightedRow {
  prompt: readonly number[]
  completion: readonly number[]
  /** (completion length) w_n, already sg[A_n] × mask; 0 where a token must not count. */
  weights: ArrayLike<number>
}

export interface PolicyTrainerOptions {
  /** Rows per optimizer step (B_eff). */
  batch: number
  /** Rows per forward/backward pass; `batch` is a multiple of it. */
  microBatch: number
  /** Longest prompt and completion in tokens: the program's sequence is their sum minus one. */
  maxPromptTokens: number
  maxTokens: number
  optimizer: OptimizerConfig
  /** Clip the global gradient norm (0 or undefined: no clipping). */
  clipNorm?: number
  threads?: number
  /** The train step's provider and session options (threads from `threads` when given). */
  session?: ProgramSessionOptions
  /** Optimizer state to start from (a resumed run), by the program's state input names. */
  optimizerState?: Map<string, Float32Array>
}

/**
 * The policy's train step: the weighted log-likelihood objective (objective.ts) through the
 * train-step program (forward + backward + clipping + AdamW/SGD in one graph, or accumulated over
 * micro-batches). The loss of a step is
 *   L = −(1/B_eff) Σ_rows Σ_n w_n · log π_θ(y_n | x, y_<n),
 * whatever the micro-batch split: each micro-batch's token weights are w / microBatch and the
 * program averages the K micro-batch gradients (grad_scale 1/K), so the update follows
 * Σ_k ∇L_k / K = ∇L with B_eff = K · microBatch.
 */
export class PolicyTrainer {
  private constructor(
    readonly config: DecoderConfig,
    private readonly trainer: Trainer,
    private readonly options: PolicyTrainerOptions,
    readonly sequence: number,
  ) {}

  static async create(config: DecoderConfig, weights: Weights, options: PolicyTrainerOptions): Promise<PolicyTrainer> {
    if (options.batch % options.microBatch !== 0) {
      throw new NashlabError('invalid_input', `The batch of ${options.batch} rows is not a multiple of the micro-batch of ${options.microBatch}.`, { field: 'microBatch' })
    }
    const sequence = options.maxPromptTokens + options.maxTokens - 1
    if (sequence > config.context) {
      throw new NashlabError('invalid_input', `Prompts of ${options.maxPromptTokens} tokens and completions of ${options.maxTokens} need a context of ${sequence + 1}; the policy's is ${config.context}.`, { field: 'maxTokens' })
    }
    const specs = weightSpecs(config)
    const decay = new Map(specs.map((s) => [s.name, s.decay]))
    const trainer = await Trainer.create(policyObjective(config, weights, { batch: options.microBatch, sequence }), {
      loss: 'loss',
      trainable: specs.map((s) => s.name),
      decay: (name) => decay.get(name) ?? false,
      optimizer: options.optimizer,
      clipNorm: options.clipNorm ? options.clipNorm : undefined,
      accumulation: options.batch / options.microBatch,
      session: { ...options.session, ...(options.threads ? { intraOpNumThreads: options.threads } : {}) },
    })
    if (options.optimizerState) trainer.loadOptimizerState(options.optimizerState, 'The checkpoint')
    return new PolicyTrainer(config, trainer, options, sequence)
  }

  /** One optimizer step over exactly `batch` rows. */
  async step(rows: readonly WeightedRow[], learningRate: number): Promise<StepResult> {
    const { batch, microBatch } = this.options
    if (rows.length !== batch) throw new NashlabError('internal', `A step needs ${batch} rows, got ${rows.length}.`)
    const micro: Feeds[] = []
    for (let start = 0; start < batch; start += microBatch) micro.push(this.feeds(rows.slice(start, start + microBatch), 1 / microBatch))
    return this.trainer.step(micro.length === 1 ? micro[0] : micro, learningRate)
  }

  /**
   * Right-padded feeds of a micro-batch (padding id 0, weight 0): row = prompt ⧺ completion,
   * position t predicts token t + 1, so completion token n is scored at position |prompt| − 1 + n
   * with weight scale · w_n.
   */
  feeds(rows: readonly WeightedRow[], scale: number): Feeds {
    const S = this.sequence
    const B = rows.length
    const ids = new BigInt64Array(B * S)
    const targets = new BigInt64Array(B * S)
    const weights = new Float32Array(B * S)
    rows.forEach((row, r) => {
      const tokens = [...row.prompt, ...row.completion]
      if (row.prompt.length === 0) throw new NashlabError('internal', `Row ${r} has an empty prompt.`)
      if (tokens.length - 1 > S) throw new NashlabError('internal', `Row ${r} has ${tokens.length} tokens; the program holds ${S + 1}.`)
      for (let t = 0; t < tokens.length - 1; t++) {
        const i = r * S + t
        ids[i] = BigInt(tokens[t])
        targets[i] = BigInt(tokens[t + 1])
      }
      for (let n = 0; n < row.completion.length; n++) weights[r * S + row.prompt.length - 1 + n] = scale * row.weights[n]
    })
    const shape = [B, S]
    return {
      input_ids: new ort.Tensor('int64', ids, shape),
      targets: new ort.Tensor('int64', targets, shape),
      [TOKEN_WEIGHTS]: new ort.Tensor('float32', weights, shape),
    }
  }

  /** Sentences to show the user (the train step's provider fell back to the CPU). */
  get warnings(): string[] {
    return this.trainer.warnings
  }

  /** The current weights by name (the arrays the program returned: do not modify them). */
  weights(): Weights {
    return new Map(weightSpecs(this.config).map((s) => [s.name, this.trainer.values.get(s.name)!]))
  }

  /** Optimizer state by the program's input names, with shapes (for checkpoints). */
  optimizerState(): Map<string, { data: Float32Array; shape: number[] }> {
    return this.trainer.optimizerState()
  }
}
