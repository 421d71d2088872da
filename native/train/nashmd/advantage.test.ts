import { expect, test } from 'vitest'
import { Rng } from '../../runtime/rng'
import { applyMissingEosPenalty, completionMask, nashAdvantages, type KlEstimator } from './advantage'
import { randomPreference, TabularPolicy } from './tabular'

function mulberry(seed: number): () => number {
  const rng = Rng.fromSeed(seed)
  return () => rng.float()
}

const vocab = 3
const eos = 2
const maxLength = 3
const tau = 0.3

function setup(seed: number) {
  const random = mulberry(seed)
  const policy = TabularPolicy.random(vocab, eos, maxLength, random)
  const reference = TabularPolicy.random(vocab, eos, maxLength, random)
  const opponent = TabularPolicy.random(vocab, eos, maxLength, random)
  const sequences = policy.sequences()
  const P = randomPreference(sequences.length, random)
  return { policy, reference, opponent, sequences, P }
}

/** J(θ) = P(π_θ ≻ π′) − τ·KL(π_θ‖μ), by enumeration. */
function objective(policy: TabularPolicy, s: ReturnType<typeof setup>): number {
  let win = 0
  let kl = 0
  s.sequences.forEach((y, i) => {
    const py = Math.exp(policy.logProb(y))
    s.sequences.forEach((y2, j) => (win += py * Math.exp(s.opponent.logProb(y2)) * s.P[i][j]))
    kl += py * (policy.logProb(y) - s.reference.logProb(y))
  })
  return win - tau * kl
}

/** E_{y ~ π_θ, y′ ~ π′}[−∇L] computed exactly by enumerating both completions. */
function expectedSurrogateGradient(s: ReturnType<typeof setup>, kl: KlEstimator): Float64Array {
  const grad = new Float64Array(s.policy.logits.length)
  s.sequences.forEach((y, i) => {
    const py = Math.exp(s.policy.logProb(y))
    const logPi = s.policy.tokenLogProbs(y)
    const logMu = s.reference.tokenLogProbs(y)
    s.sequences.forEach((y2, j) => {
      const weight = py * Math.exp(s.opponent.logProb(y2))
      const { weights } = nashAdvantages({ scores: [s.P[i][j]], policyLogProbs: logPi, referenceLogProbs: logMu, mask: logPi.map(() => 1), batch: 1, length: y.length, tau, kl })
      s.policy.accumulateScoreGradient(y, Array.from(weights, (w) => w * weight), grad)
    })
  })
  return grad
}

test('the reward-to-go surrogate has exactly the gradient of P(π_θ ≻ π′) − τ·KL(π_θ‖μ)', () => {
  for (const seed of [1, 2, 3]) {
    const s = setup(seed)
    const estimated = expectedSurrogateGradient(s, 'reward-to-go')
    const h = 1e-5
    let worst = 0
    for (let k = 0; k < s.policy.logits.length; k++) {
      const plus = s.policy.clone()
      const minus = s.policy.clone()
      plus.logits[k] += h
      minus.logits[k] -= h
      const exact = (objective(plus, s) - objective(minus, s)) / (2 * h)
      worst = Math.max(worst, Math.abs(exact - estimated[k]))
    }
    expect(worst).toBeLessThan(1e-8)
  }
})

test('the per-token form is biased (as labelled)', () => {
  const s = setup(4)
  const exact = expectedSurrogateGradient(s, 'reward-to-go')
  const biased = expectedSurrogateGradient(s, 'per-token')
  const gap = Math.max(...exact.map((v, i) => Math.abs(v - biased[i])))
  expect(gap).toBeGreaterThan(1e-3)
})

test('the mask ends at the first EOS and keeps it; missing EOS is penalised on y only', () => {
  const tokens = [5, 2, 7, 7, /* */ 5, 5, 5, 5, /* */ 2, 9, 9, 9]
  const { mask, lengths, hasEos } = completionMask(tokens, 3, 4, 2)
  expect(Array.from(mask)).toEqual([1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0])
  expect(Array.from(lengths)).toEqual([2, 4, 1])
  expect(Array.from(hasEos)).toEqual([1, 0, 1])
  expect(Array.from(applyMissingEosPenalty([0.7, 0.7, 0.7], hasEos, 0.5))).toEqual([0.7, 0.19999999999999996, 0.7])
  // Masked positions carry no weight.
  const { weights } = nashAdvantages({ scores: [1, 1, 1], policyLogProbs: new Array(12).fill(-1), referenceLogProbs: new Array(12).fill(-2), mask, batch: 3, length: 4, tau: 0.1 })
  expect(weights[2]).toBe(0)
  // Reward to go: the first token of sequence 0 sees both tokens' log-ratios (2 × 1).
  expect(weights[0]).toBeCloseTo(0.5 - 0.1 * 2, 6)
  expect(weights[1]).toBeCloseTo(0.5 - 0.1 * 1, 6)
})
