import { describe, expect, it } from 'vitest'
import { Rng } from '../runtime/rng'
import { mixLogits, opponentLogits } from './mixture'
import { exactSampling, sampleTokens, samplingDistribution } from './sampling'
import { chiSquare, chiSquareCritical001 } from './statistics.fixture'

const vocab = 8
const policy = Float32Array.from([2.0, 0.5, -1.0, 1.5, 0.0, -2.0, 1.0, 0.2])
const reference = Float32Array.from([-0.5, 1.8, 0.7, 0.0, 1.2, 0.3, -1.0, 0.9])

/** Probabilities of a row of logits. */
const probabilities = (z: Float32Array) => {
  const e = Array.from(z, Math.exp)
  const s = e.reduce((a, b) => a + b, 0)
  return e.map((x) => x / s)
}

describe('geometric mixture of next-token distributions', () => {
  it('is the weighted sum of the logits, skipping weight-0 parts so −∞ stays harmless', () => {
    const z = mixLogits([
      { logits: Float32Array.from([1, 2]), weight: 0.25 },
      { logits: Float32Array.from([3, -4]), weight: 0.75 },
    ])
    expect(Array.from(z)).toEqual([2.5, -2.5])
    expect(Array.from(mixLogits([{ logits: Float32Array.from([1, -Infinity]), weight: 0 }, { logits: Float32Array.from([1, 2]), weight: 1 }]))).toEqual([1, 2])
  })

  it('gives exactly π^(1−β) μ^β / Z, the same from logits as from log-probabilities', () => {
    const pi = probabilities(policy)
    const mu = probabilities(reference)
    for (const beta of [0, 0.125, 0.375, 1]) {
      const unnormalised = pi.map((p, i) => p ** (1 - beta) * mu[i] ** beta)
      const Z = unnormalised.reduce((a, b) => a + b, 0)
      const fromLogits = samplingDistribution(opponentLogits(policy, reference, beta), 0, vocab, exactSampling)
      const fromLogProbs = samplingDistribution(opponentLogits(Float32Array.from(pi, Math.log), Float32Array.from(mu, Math.log), beta), 0, vocab, exactSampling)
      for (let i = 0; i < vocab; i++) {
        expect(fromLogits[i]).toBeCloseTo(unnormalised[i] / Z, 6)
        expect(fromLogProbs[i]).toBeCloseTo(unnormalised[i] / Z, 6)
      }
    }
  })

  it('samples the opponent with the frequencies of softmax((1 − β) z_π + β z_μ) (chi-square, fixed seed)', () => {
    const draws = 80_000
    const policyBatch = new Float32Array(draws * vocab)
    const referenceBatch = new Float32Array(draws * vocab)
    for (let b = 0; b < draws; b++) {
      policyBatch.set(policy, b * vocab)
      referenceBatch.set(reference, b * vocab)
    }
    const rng = Rng.fromSeed(2024)
    for (const beta of [0.25, 0.5]) {
      const mixed = opponentLogits(policyBatch, referenceBatch, beta)
      const { tokens, logProbs } = sampleTokens(mixed, draws, vocab, exactSampling, rng)
      const exact = probabilities(opponentLogits(policy, reference, beta))
      const counts = new Array(vocab).fill(0)
      for (const t of tokens) counts[t]++
      expect(chiSquare(counts, exact.map((p) => p * draws))).toBeLessThan(chiSquareCritical001[vocab - 1])
      // The reported log-probability is the mixture's, exactly.
      expect(logProbs[0]).toBeCloseTo(Math.log(exact[tokens[0]]), 6)
      // And the mixture differs from either model, so the test can tell them apart.
      const asPolicy = chiSquare(counts, probabilities(policy).map((p) => p * draws))
      expect(asPolicy).toBeGreaterThan(chiSquareCritical001[vocab - 1])
    }
  })

  it('refuses mismatched lengths, non-finite weights and β outside [0, 1]', () => {
    expect(() => mixLogits([])).toThrow(/at least one model/)
    expect(() => mixLogits([{ logits: new Float32Array(2), weight: 1 }, { logits: new Float32Array(3), weight: 1 }])).toThrow(/Model 1 of the mixture gives 3 logits where model 0 gives 2/)
    expect(() => mixLogits([{ logits: new Float32Array(2), weight: NaN }])).toThrow(/not a finite number/)
    expect(() => opponentLogits(policy, reference, 1.5)).toThrow(/β must be from 0 to 1/)
  })
})
