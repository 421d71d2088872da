import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../game/random'
import { resolveDecoderConfig } from '../../models/config'
import { initWeights, weightSpecs, type Weights } from '../../models/weights'
import { NativeRunner } from '../../generate/runner'
import { Rng } from '../../runtime/rng'
import { applyMissingEosPenalty, nashAdvantages, type KlEstimator } from './advantage'
import { PolicyTrainer } from './policy-trainer'
import { randomPreference } from './tabular'

/**
 * The estimator through the real ONNX train-step program, checked exactly: a tiny ONNX policy
 * (vocab 3, completions of at most 3 tokens) has 15 completions, so E_y[∇L] can be computed by
 * feeding every completion as a row with token weights π_θ(y)·A_n(y) (no sampling), and compared
 * with finite differences of the exact objective
 *   J(θ) = Σ_y π_θ(y)·(P(y ≻ π′) − c·[y has no EOS]) − τ·Σ_y π_θ(y)·log(π_θ(y)/μ(y))
 * with π′ held fixed (here π′ = μ's own completion distribution).
 */
const vocab = 3
const eos = 2
const maxTokens = 3
const tau = 0.3
const penalty = 0.2
const prompt = [0, 1]
const config = resolveDecoderConfig({ vocab, dModel: 8, layers: 1, heads: 2, context: 8, initStd: 0.4 })
const session = { intraOpNumThreads: 1 }

/** Every completion: ends at its first EOS, or is cut at maxTokens without one. */
function completions(): number[][] {
  const out: number[][] = []
  const walk = (prefix: number[]) => {
    for (let t = 0; t < vocab; t++) {
      const next = [...prefix, t]
      if (t === eos || next.length === maxTokens) out.push(next)
      else walk(next)
    }
  }
  walk([])
  return out
}

const sequences = completions()

async function tokenLogProbs(weights: Weights): Promise<number[][]> {
  const runner = await NativeRunner.create(config, weights, { session })
  const scored = await runner.score(sequences.map((y) => [...prompt, ...y]))
  await runner.release()
  return scored.map((s) => Array.from(s.subarray(prompt.length - 1)))
}

const sum = (a: readonly number[]) => a.reduce((x, y) => x + y, 0)

async function setup() {
  const policy = initWeights(config, 1)
  const reference = initWeights(config, 2)
  const logMu = await tokenLogProbs(reference)
  const mu = logMu.map((lp) => Math.exp(sum(lp)))
  const P = randomPreference(sequences.length, seededRandom(7))
  // P(y ≻ π′) with π′ = μ's completion distribution, minus the missing-EOS penalty.
  const hasEos = sequences.map((y) => (y.at(-1) === eos ? 1 : 0))
  const versusOpponent = applyMissingEosPenalty(
    P.map((row) => row.reduce((s, p, j) => s + mu[j] * p, 0)),
    hasEos,
    penalty,
  )
  return { policy, logMu, versusOpponent }
}

type Setup = Awaited<ReturnType<typeof setup>>

/** J(θ) by enumeration (float64 sums of the eval program's float32 log-probabilities). */
async function objective(weights: Weights, s: Setup): Promise<number> {
  const logPi = await tokenLogProbs(weights)
  let j = 0
  logPi.forEach((lp, i) => {
    const pi = Math.exp(sum(lp))
    j += pi * s.versusOpponent[i] - tau * pi * (sum(lp) - sum(s.logMu[i]))
  })
  return j
}

/** E_y[∇L] from the train-step program (SGD, lr = `lr`, no clipping): (θ − θ′)/lr. */
async function programGradient(s: Setup, kl: KlEstimator, microBatch: number): Promise<Map<string, Float64Array>> {
  const logPi = await tokenLogProbs(s.policy)
  // Pad the batch with rows of weight 0 so it splits into micro-batches.
  const batch = Math.ceil(sequences.length / microBatch) * microBatch
  const rows = sequences.map((y, i) => {
    const pi = Math.exp(sum(logPi[i]))
    const { weights } = nashAdvantages({ scores: [s.versusOpponent[i]], policyLogProbs: logPi[i], referenceLogProbs: s.logMu[i], mask: y.map(() => 1), batch: 1, length: y.length, tau, kl })
    // The program normalises by the effective batch; undo it so the rows sum to the expectation.
    return { prompt, completion: y, weights: Array.from(weights, (w) => w * pi * batch) }
  })
  while (rows.length < batch) rows.push({ prompt, completion: [eos], weights: [0] })
  const lr = 1000
  const trainer = await PolicyTrainer.create(config, s.policy, {
    batch,
    microBatch,
    maxPromptTokens: prompt.length,
    maxTokens,
    optimizer: { kind: 'sgd', momentum: 0, weightDecay: 0 },
    threads: 1,
  })
  await trainer.step(rows, lr)
  const after = trainer.weights()
  return new Map([...s.policy].map(([name, before]) => [name, Float64Array.from(before, (v, i) => (v - after.get(name)![i]) / lr)]))
}

function direction(gradient: Map<string, Float64Array>, rng: Rng | null): Map<string, Float64Array> {
  const v = new Map([...gradient].map(([name, g]) => [name, Float64Array.from(g, (x) => (rng ? rng.normal() : x))]))
  let norm = 0
  for (const x of v.values()) for (const e of x) norm += e * e
  norm = Math.sqrt(norm)
  for (const x of v.values()) for (let i = 0; i < x.length; i++) x[i] /= norm
  return v
}

function shifted(weights: Weights, v: Map<string, Float64Array>, h: number): Weights {
  return new Map([...weights].map(([name, w]) => [name, Float32Array.from(w, (x, i) => x + h * v.get(name)![i])]))
}

function dot(a: Map<string, Float64Array>, b: Map<string, Float64Array>): number {
  let s = 0
  for (const [name, x] of a) x.forEach((e, i) => (s += e * b.get(name)![i]))
  return s
}

/** Central differences of J along v. */
async function directional(s: Setup, v: Map<string, Float64Array>, h = 2e-3): Promise<number> {
  return ((await objective(shifted(s.policy, v, h), s)) - (await objective(shifted(s.policy, v, -h), s))) / (2 * h)
}

describe('the Nash-MD-PG train-step program', () => {
  it('has the exact gradient of P(π_θ ≻ π′) − τ·KL(π_θ‖μ) in expectation, whole batch or accumulated', async () => {
    const s = await setup()
    expect(weightSpecs(config).length).toBeGreaterThan(5)
    const gradient = await programGradient(s, 'reward-to-go', 16)
    // E[∇L] = −∇J: along any direction v, ∇L·v = −dJ/dv.
    const norm = Math.sqrt(dot(gradient, gradient))
    expect(norm).toBeGreaterThan(1e-3)
    const steepest = direction(gradient, null)
    // Central differences of float32 log-probabilities: agreement to a few parts in 10⁴.
    expect(Math.abs((await directional(s, steepest)) + norm)).toBeLessThan(3e-4 * norm)
    const rng = Rng.fromSeed(3)
    for (let k = 0; k < 3; k++) {
      const v = direction(gradient, rng)
      expect(Math.abs((await directional(s, v)) + dot(gradient, v))).toBeLessThan(2e-3 * norm)
    }
    // Micro-batches of 4 rows, accumulated and normalised over the effective batch of 16: the same gradient.
    const accumulated = await programGradient(s, 'reward-to-go', 4)
    for (const [name, g] of gradient) g.forEach((x, i) => expect(Math.abs(x - accumulated.get(name)![i])).toBeLessThan(1e-5 + 1e-3 * Math.abs(x)))
  })

  it('with the per-token KL form misses that gradient (the option is labelled biased)', async () => {
    const s = await setup()
    const exact = await programGradient(s, 'reward-to-go', 16)
    const biased = await programGradient(s, 'per-token', 16)
    const v = direction(exact, null)
    const fd = await directional(s, v)
    expect(Math.abs(fd + dot(exact, v))).toBeLessThan(3e-4 * Math.abs(fd))
    expect(Math.abs(fd + dot(biased, v))).toBeGreaterThan(0.02 * Math.abs(fd))
  })
})
