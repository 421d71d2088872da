import { expect, test } from 'vitest'
import { Rng } from '../../runtime/rng'
import { regularisedEquilibrium } from '../../game/equilibrium'
import { preferenceGame } from '../../game/game'
import { nashAdvantages } from './advantage'
import { randomPreference, TabularPolicy } from './tabular'

function mulberry(seed: number): () => number {
  const rng = Rng.fromSeed(seed)
  return () => rng.float()
}

/** The token-level geometric mixture: logits (1 − β)·z_π + β·z_μ at every prefix. */
function mixture(policy: TabularPolicy, reference: TabularPolicy, beta: number): TabularPolicy {
  return policy.clone(policy.logits.map((z, i) => (1 - beta) * z + beta * reference.logits[i]))
}

function sample(policy: TabularPolicy, random: () => number): number[] {
  const y: number[] = []
  for (;;) {
    const logp = policy.logProbsAt(y)
    let u = random()
    let t = 0
    for (; t < logp.length - 1; t++) if ((u -= Math.exp(logp[t])) <= 0) break
    y.push(t)
    if (t === policy.eos || y.length === policy.maxLength) return y
  }
}

test('Nash-MD-PG with sampled pairs moves a tabular policy to the regularised Nash equilibrium π*_τ', () => {
  const random = mulberry(21)
  const tau = 0.2
  const reference = TabularPolicy.random(3, 2, 3, random, 0.5)
  const sequences = reference.sequences()
  const key = (y: number[]) => y.join(',')
  const indexOf = new Map(sequences.map((y, i) => [key(y), i]))
  const P = randomPreference(sequences.length, random)
  const mu = sequences.map((y) => Math.exp(reference.logProb(y)))
  const nash = regularisedEquilibrium(preferenceGame(P, mu, tau))
  expect(nash.residual).toBeLessThan(1e-12)
  const klToNash = (policy: TabularPolicy) => sequences.reduce((s, y, i) => s + nash.policy[i] * (nash.logPolicy[i] - policy.logProb(y)), 0)

  // Start at the reference, as fine-tuning starts from the SFT model.
  const policy = reference.clone()
  const start = klToNash(policy)
  const beta = 0.125
  const batch = 64
  const lr = 0.5
  for (let step = 0; step < 600; step++) {
    const opponent = mixture(policy, reference, beta)
    const grad = new Float64Array(policy.logits.length)
    for (let b = 0; b < batch; b++) {
      const y = sample(policy, random)
      const y2 = sample(opponent, random)
      const logPi = policy.tokenLogProbs(y)
      const { weights } = nashAdvantages({
        scores: [P[indexOf.get(key(y))!][indexOf.get(key(y2))!]],
        policyLogProbs: logPi,
        referenceLogProbs: reference.tokenLogProbs(y),
        mask: logPi.map(() => 1),
        batch: 1,
        length: y.length,
        tau,
      })
      policy.accumulateScoreGradient(y, Array.from(weights, (w) => w / batch), grad)
    }
    for (let i = 0; i < grad.length; i++) policy.logits[i] += lr * grad[i]
  }
  const end = klToNash(policy)
  if (process.env.NASHLAB_VERBOSE) console.log(`KL(π*_τ‖π_θ): start ${start.toFixed(4)} → end ${end.toFixed(4)}`)
  expect(start).toBeGreaterThan(0.05)
  expect(end).toBeLessThan(start / 5)
  expect(end).toBeLessThan(0.03)
})
