import { z } from 'zod'
import { providerChoice, type ProviderChoice } from '../api/devices'

/**
 * What every Nashlab trainer (SFT, preference model, reward model) shares: steps, batches,
 * optimizer, schedule, clipping, seed, held-out evaluation and checkpoints. One typed object with
 * defaults; a run stores the whole resolved object.
 */
export const trainConfigFields = {
  /** Optimizer steps. 1–1,000,000. */
  steps: z.number().int().min(1).max(1_000_000).default(100),
  /** Examples per optimizer step (the effective batch). */
  batch: z.number().int().min(1).max(4096).default(8),
  /** Examples per forward/backward pass; `batch` must be a multiple (batch / microBatch passes are accumulated). Default: `batch`. */
  microBatch: z.number().int().min(1).max(4096).optional(),
  /** AdamW (decoupled weight decay) or SGD (with momentum). */
  optimizer: z.enum(['adamw', 'sgd']).default('adamw'),
  /** Peak learning rate. */
  lr: z.number().positive().max(10).default(1e-3),
  /** Learning rate at the end of the cosine or linear decay. Default lr / 10. */
  minLr: z.number().min(0).max(10).optional(),
  /** Steps of linear warmup from 0. Default: 10% of the steps (at most 100). */
  warmup: z.number().int().min(0).optional(),
  /** Warmup then cosine decay (nanoGPT's), linear decay, or a constant rate. */
  schedule: z.enum(['cosine', 'linear', 'constant']).default('cosine'),
  /** AdamW's β₁ and β₂ (β₂ = 0.95 as nanoGPT for small data). */
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.95),
  epsilon: z.number().positive().default(1e-8),
  /** Weight decay λ of matrices and embeddings (AdamW: decoupled; SGD: L2). Default 0.1 for AdamW, 0 for SGD. */
  weightDecay: z.number().min(0).max(1).optional(),
  /** SGD momentum μ (0 = none). */
  momentum: z.number().min(0).lt(1).default(0.9),
  /** Clip the global gradient norm to this (0 = no clipping). */
  clipNorm: z.number().min(0).default(1),
  /** Seeds the example order, the held-out split and any sampling. */
  seed: z.number().int().min(0).default(0),
  /** Share of examples held out for evaluation (0 = none). [0, 0.5]. */
  holdout: z.number().min(0).max(0.5).default(0.1),
  /** Evaluate the held-out examples every this many steps (0 = only at the end). */
  evalEvery: z.number().int().min(0).default(50),
  /** Write a checkpoint every this many steps (and always at the end). */
  checkpointEvery: z.number().int().min(1).default(50),
  /** Keep this many newest checkpoints (the final one always stays). */
  keepCheckpoints: z.number().int().min(1).default(3),
  /** ONNX Runtime threads (default: every core). */
  threads: z.number().int().min(1).max(256).optional(),
  /** Where the train step runs: cpu, auto, cuda, dml or webgpu (one that cannot start falls back to the CPU with a warning). */
  device: providerChoice.default('cpu'),
}

export const trainConfigSchema = z.object(trainConfigFields).strict()
export type TrainConfigInput = z.input<typeof trainConfigSchema>

/** The common config with every default applied (optional fields resolved). */
export interface TrainConfig {
  steps: number
  batch: number
  microBatch: number
  optimizer: 'adamw' | 'sgd'
  lr: number
  minLr: number
  warmup: number
  schedule: 'cosine' | 'linear' | 'constant'
  beta1: number
  beta2: number
  epsilon: number
  weightDecay: number
  momentum: number
  clipNorm: number
  seed: number
  holdout: number
  evalEvery: number
  checkpointEvery: number
  keepCheckpoints: number
  threads?: number
  device: ProviderChoice
}

/** Resolve the derived defaults and check batch / microBatch. */
export function resolveTrainConfig(parsed: z.output<typeof trainConfigSchema>): TrainConfig {
  const microBatch = parsed.microBatch ?? parsed.batch
  if (parsed.batch % microBatch !== 0) throw new Error(`batch ${parsed.batch} is not a multiple of microBatch ${microBatch}`)
  return {
    ...parsed,
    microBatch,
    minLr: parsed.minLr ?? parsed.lr / 10,
    warmup: parsed.warmup ?? Math.min(100, Math.floor(parsed.steps / 10)),
    weightDecay: parsed.weightDecay ?? (parsed.optimizer === 'adamw' ? 0.1 : 0),
  }
}
