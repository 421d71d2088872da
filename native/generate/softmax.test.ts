import { describe, expect, it } from 'vitest'
import { entropy, gatherLogProbs, logSoftmax, softmax } from './softmax'

describe('row-wise softmax', () => {
  const logits = Float32Array.from([1, 2, 3, -Infinity, 1000, 1001, 1002, -Infinity])

  it('gives log-probabilities whose exponentials sum to 1, even for large logits, with −∞ as probability 0', () => {
    const logp = logSoftmax(logits, 2, 4)
    const p = softmax(logits, 2, 4)
    const expected = [1, 2, 3].map((z) => z - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)))
    for (let v = 0; v < 3; v++) {
      expect(logp[v]).toBeCloseTo(expected[v], 6)
      expect(logp[4 + v]).toBeCloseTo(expected[v], 4) // 1000, 1001, 1002 shifted by 999 are 1, 2, 3
    }
    expect([p[3], p[7]]).toEqual([0, 0])
    expect(p.slice(0, 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6)
  })

  it('gathers the log-probability of given tokens and computes entropy in nats', () => {
    const logp = logSoftmax(logits, 2, 4)
    expect(Array.from(gatherLogProbs(logits, 2, 4, [2, 5 - 4]))).toEqual([expect.closeTo(logp[2], 6), expect.closeTo(logp[5], 4)])
    expect(entropy(Float32Array.from([0, 0, 0, 0]), 1, 4)[0]).toBeCloseTo(Math.log(4), 12)
    expect(entropy(Float32Array.from([5, -Infinity]), 1, 2)[0]).toBe(0)
  })

  it('refuses NaN, rows with no finite logit and a wrong shape with a sentence', () => {
    expect(() => logSoftmax(Float32Array.from([0, NaN]), 1, 2)).toThrow(/Row 0 of the logits holds NaN at token 1/)
    expect(() => softmax(Float32Array.from([-Infinity, -Infinity]), 1, 2)).toThrow(/no finite logit/)
    expect(() => softmax(Float32Array.from([0, Infinity]), 1, 2)).toThrow(/an infinite logit/)
    expect(() => softmax(new Float32Array(5), 2, 3)).toThrow(/not a batch of 2 rows of 3 tokens/)
    expect(() => gatherLogProbs(new Float32Array(3), 1, 3, [3])).toThrow(/outside the vocabulary of 3/)
  })
})
