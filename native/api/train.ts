import { z } from 'zod'
import { providerChoice } from './devices'
import { method } from './define'
import { decoderArchitecture, modelName, modelRef, type ModelSummary } from './models'
import type { RunSummary } from './runs'

/**
 * Starting training runs: supervised fine-tuning of a policy, and training a pairwise preference
 * model or a Bradley–Terry reward model on a dataset's comparisons. Each run is a job in a worker
 * thread (pause, resume, cancel through jobs.*); its full resolved config, metrics per step and
 * checkpoints are recorded on the run; when it completes, the trained model is registered with its
 * lineage (parent model, run, dataset, checkpoint).
 */

/** Optimisation settings every trainer takes (see native/train/train-config.ts for meanings and ranges). */
export const trainSettings = z
  .object({
    steps: z.number().int().min(1).max(1_000_000).optional(),
    batch: z.number().int().min(1).max(4096).optional(),
    microBatch: z.number().int().min(1).max(4096).optional(),
    optimizer: z.enum(['adamw', 'sgd']).optional(),
    lr: z.number().positive().max(10).optional(),
    minLr: z.number().min(0).max(10).optional(),
    warmup: z.number().int().min(0).optional(),
    schedule: z.enum(['cosine', 'linear', 'constant']).optional(),
    beta1: z.number().min(0).lt(1).optional(),
    beta2: z.number().min(0).lt(1).optional(),
    weightDecay: z.number().min(0).max(1).optional(),
    momentum: z.number().min(0).lt(1).optional(),
    clipNorm: z.number().min(0).optional(),
    seed: z.number().int().min(0).optional(),
    holdout: z.number().min(0).max(0.5).optional(),
    evalEvery: z.number().int().min(0).optional(),
    checkpointEvery: z.number().int().min(1).optional(),
    keepCheckpoints: z.number().int().min(1).optional(),
    threads: z.number().int().min(1).max(256).optional(),
    /** Where the train step runs (cpu, auto, cuda, dml, webgpu); one that cannot start falls back to the CPU with a warning on the job. */
    device: providerChoice.optional(),
    /** Tokens per row; at most the model's context. */
    sequence: z.number().int().min(2).max(8192).optional(),
  })
  .strict()

export interface TrainStarted {
  run: RunSummary
  /** The job running it (jobs.pause / jobs.resume / jobs.cancel). */
  job: string
  /** With `wait`: the model the run produced. */
  model?: ModelSummary
}

const waitField = z.boolean().default(false)

export const trainMethods = {
  'train.sft': method<TrainStarted>()(
    z
      .object({
        /** The policy to fine-tune (created here, or imported). */
        model: modelRef,
        dataset: z.string().min(1),
        settings: trainSettings.default({}),
        /** Imitate the preferred response of each comparison (ties: both), or every response. */
        examples: z.enum(['preferred', 'responses']).default('preferred'),
        /** Train every weight, or low-rank (LoRA) adapters merged into the weights at the end. */
        adapter: z.enum(['full', 'lora']).default('full'),
        /** LoRA rank r (α = r). */
        loraRank: z.number().int().min(1).max(256).default(8),
        /** Name of the fine-tuned model; default "<model>-sft-<run>". */
        name: modelName.optional(),
        /** Resolve only when the run has ended (the CLI waits; the UI follows events). */
        wait: waitField,
      })
      .strict(),
    'Fine-tune a policy on a dataset (completion-token cross-entropy, AdamW or SGD) as a run',
  ),
  'train.preference': method<TrainStarted>()(
    z
      .object({
        dataset: z.string().min(1),
        /** pairwise: P(y ≻ y′ | x) from both responses at once; bt: a Bradley–Terry reward r(x, y). */
        kind: z.enum(['pairwise', 'bt']).default('pairwise'),
        /** Start the trunk from this policy (its architecture, tokenizer and weights). */
        from: modelRef.optional(),
        /** The trunk's architecture when not starting from a policy (defaults: d 64, 2 layers, 4 heads, context 128). */
        architecture: decoderArchitecture.optional(),
        /** Vocabulary of the tokenizer trained on the dataset when not starting from a policy. */
        vocabSize: z.number().int().min(257).max(65_536).default(512),
        settings: trainSettings.default({}),
        /** Count "both bad" comparisons as ties instead of leaving them out. */
        includeBothBad: z.boolean().default(false),
        name: modelName.optional(),
        wait: waitField,
      })
      .strict(),
    'Train a pairwise preference model or a Bradley–Terry reward model on a dataset’s comparisons as a run',
  ),
  'train.resume': method<TrainStarted>()(
    z.object({ run: z.number().int().positive(), wait: waitField }).strict(),
    'Continue a cancelled or failed run exactly from its last checkpoint',
  ),
  'train.cancel': method<RunSummary>()(z.object({ run: z.number().int().positive() }).strict(), 'Cancel a running or paused run (its checkpoints stay)'),
}
