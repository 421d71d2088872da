import { describe, expect, it } from 'vitest'
import { completionLengths, completionMask, endedWithEos, eosRate, firstEosIndex, holdFinished, padAfterEos } from './eos'

const EOS = 2
const PAD = 0
// (B = 3, T = 4): EOS in the middle, none, EOS first then more EOS.
const tokens = Int32Array.from([5, EOS, 7, 8, 5, 6, 7, 8, EOS, 9, EOS, 4])

describe('EOS handling', () => {
  it('masks everything after the first EOS but keeps the EOS', () => {
    expect(Array.from(firstEosIndex(tokens, 3, 4, EOS))).toEqual([1, -1, 0])
    expect(Array.from(completionLengths(tokens, 3, 4, EOS))).toEqual([2, 4, 1])
    expect(Array.from(completionMask(tokens, 3, 4, EOS))).toEqual([1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0])
    expect(Array.from(padAfterEos(tokens, 3, 4, EOS, PAD))).toEqual([5, EOS, 0, 0, 5, 6, 7, 8, EOS, 0, 0, 0])
  })

  it('counts the completions that ended with EOS, with several stop ids too', () => {
    expect(Array.from(endedWithEos(tokens, 3, 4, EOS))).toEqual([1, 0, 1])
    expect(eosRate(tokens, 3, 4, EOS)).toBeCloseTo(2 / 3, 12)
    expect(eosRate(tokens, 3, 4, [EOS, 6])).toBe(1)
    expect(Array.from(completionLengths(tokens, 3, 4, [EOS, 6]))).toEqual([2, 2, 1])
    expect(eosRate(new Int32Array(0), 0, 4, EOS)).toBe(0)
  })

  it('holds finished rows at padding during generation and marks rows that just drew EOS', () => {
    const finished = Uint8Array.from([1, 0, 0])
    const step = { tokens: Int32Array.from([7, EOS, 9]), logProbs: Float64Array.from([-1, -2, -3]), modelLogProbs: Float64Array.from([-1, -2, -3]) }
    expect(holdFinished(step, finished, EOS, PAD)).toBe(false)
    expect(Array.from(step.tokens)).toEqual([PAD, EOS, 9])
    expect(Array.from(step.logProbs)).toEqual([0, -2, -3])
    expect(Array.from(finished)).toEqual([1, 1, 0])
    const last = { tokens: Int32Array.from([7, 7, EOS]), logProbs: new Float64Array(3), modelLogProbs: new Float64Array(3) }
    expect(holdFinished(last, finished, EOS, PAD)).toBe(true)
  })

  it('refuses a token count that is not batch × length', () => {
    expect(() => completionMask(new Int32Array(5), 2, 3, EOS)).toThrow(/5 tokens are not a batch of 2 completions of 3 tokens/)
  })
})
