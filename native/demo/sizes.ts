/**
 * How big the demo is: the full run (the README's demo, ≤ 15 minutes on 2 CPU cores) and the quick
 * one (first start, tests; ≤ 2 minutes). Both run the same stages on the same task; only counts differ.
 */
export interface DemoSizes {
  /** The policy every run starts from: a from-scratch decoder with a byte-level BPE trained on the demonstrations. */
  policy: { dModel: number; layers: number; heads: number; context: number; vocab: number }
  /** SFT optimizer steps, rows per step and peak learning rate (AdamW, warmup then cosine). */
  sftSteps: number
  sftBatch: number
  sftLr: number
  /** Comparisons collected from the population on pairs of SFT samples. */
  comparisons: number
  /** Steps, batch and peak learning rate of the pairwise preference model and of the Bradley–Terry reward model (each). */
  preferenceSteps: number
  preferenceBatch: number
  preferenceLr: number
  /** Steps and prompts per step of every Nash-MD-PG-family run. */
  runSteps: number
  runBatch: number
  /** Learning rate of every run (AdamW, constant). */
  runLr: number
  /** Held-out win rate against the SFT policy (oracle) every this many steps. */
  evalEvery: number
  /** Completion length of every sample (tokens). */
  maxTokens: number
  /** Completions drawn from each policy to measure its option shares. */
  shareSamples: number
  /** Judged pairs per tournament cell. */
  tournamentN: number
}

export type DemoMode = 'quick' | 'full'

export const demoSizes: Record<DemoMode, DemoSizes> = {
  quick: {
    policy: { dModel: 48, layers: 2, heads: 4, context: 64, vocab: 512 },
    sftSteps: 150,
    sftBatch: 16,
    sftLr: 6e-3,
    comparisons: 1200,
    preferenceSteps: 200,
    preferenceBatch: 16,
    preferenceLr: 5e-4,
    runSteps: 30,
    runBatch: 8,
    runLr: 1e-3,
    evalEvery: 10,
    maxTokens: 24,
    shareSamples: 96,
    tournamentN: 24,
  },
  full: {
    policy: { dModel: 64, layers: 2, heads: 4, context: 64, vocab: 512 },
    sftSteps: 400,
    sftBatch: 16,
    sftLr: 3e-3,
    comparisons: 3000,
    preferenceSteps: 500,
    preferenceBatch: 16,
    preferenceLr: 5e-4,
    runSteps: 120,
    runBatch: 16,
    // At 1e-3 every β > 0 collapsed onto one option within 120 steps (no samples of the others are left
    // to learn from); at 3e-4 Nash-MD-PG β 0.25 ends at a mixture while RLHF still collapses (measured).
    runLr: 3e-4,
    evalEvery: 25,
    maxTokens: 24,
    shareSamples: 384,
    tournamentN: 96,
  },
}

/** τ of every run: the KL pull towards the SFT policy. */
export const demoTau = 0.05
/** The β of the Nash-MD-PG runs (0 is self-play, 1 best response). */
export const demoBetas = [0, 0.125, 0.25, 0.5, 1] as const
