import { describe, expect, it } from 'vitest'
import { Rng } from '../runtime/rng'
import { exactSampling, isExactSampling, sampleTokens, samplingDistribution, samplingSettingsSchema, type SamplingSettings } from './sampling'
import { chiSquare, chiSquareCritical001 } from './statistics.fixture'

const row = Float32Array.from([2, 1, 0, -1, 0.5, -Infinity]) // V = 6
const settings = (s: Partial<SamplingSettings>): SamplingSettings => ({ ...exactSampling, ...s })
const normalise = (w: number[]) => w.map((x) => x / w.reduce((a, b) => a + b, 0))

describe('sampling distribution', () => {
  it('is softmax(z / T) with temperature, and all mass on the first largest logit when greedy', () => {
    for (const temperature of [1, 0.5, 2]) {
      const expected = normalise(Array.from(row, (z) => Math.exp(z / temperature)))
      expect(Array.from(samplingDistribution(row, 0, 6, settings({ temperature })))).toEqual(expected.map((p) => expect.closeTo(p, 12)))
    }
    expect(Array.from(samplingDistribution(Float32Array.from([1, 3, 3, 0]), 0, 4, settings({ temperature: 0 })))).toEqual([0, 1, 0, 0])
  })

  it('keeps the top k (ties at the k-th all kept), renormalised', () => {
    const e = Array.from(row, (z) => Math.exp(z))
    expect(Array.from(samplingDistribution(row, 0, 6, settings({ topK: 2 })))).toEqual(normalise([e[0], e[1], 0, 0, 0, 0]).map((p) => expect.closeTo(p, 12)))
    const tied = Float32Array.from([1, 0, 1, 1, -2])
    expect(Array.from(samplingDistribution(tied, 0, 5, settings({ topK: 2 })))).toEqual([1 / 3, 0, 1 / 3, 1 / 3, 0].map((p) => expect.closeTo(p, 12)))
  })

  it('keeps the shortest most likely prefix reaching top-p, then drops what min-p bars', () => {
    const p = normalise(Array.from(row, (z) => Math.exp(z))) // ≈ [.563, .207, .076, .028, .126, 0]
    // Sorted: 0 (.563), 1 (.207), 4 (.126), … ; 0.563 + 0.207 = 0.770 < 0.8, + 0.126 reaches it.
    expect(Array.from(samplingDistribution(row, 0, 6, settings({ topP: 0.8 })))).toEqual(normalise([p[0], p[1], 0, 0, p[4], 0]).map((x) => expect.closeTo(x, 12)))
    expect(Array.from(samplingDistribution(row, 0, 6, settings({ topP: 0.5 })))).toEqual([1, 0, 0, 0, 0, 0])
    // min-p 0.3: keep tokens with p ≥ 0.3 · 0.563, i.e. exp(z − 2) ≥ 0.3: tokens 0 and 1 (e^−1 ≈ .37), not 4 (e^−1.5 ≈ .22).
    expect(Array.from(samplingDistribution(row, 0, 6, settings({ minP: 0.3 })))).toEqual(normalise([p[0], p[1], 0, 0, 0, 0]).map((x) => expect.closeTo(x, 12)))
  })

  it('keeps the same nucleus as a full sort, on random rows with ties, spread logits and temperatures', () => {
    const rng = Rng.fromSeed(6)
    for (let trial = 0; trial < 300; trial++) {
      const vocab = 1 + rng.below(200)
      const spread = [0.5, 3, 40][rng.below(3)]
      const logits = Float32Array.from({ length: vocab }, () => (rng.below(4) === 0 ? 1 : Math.round(rng.normal() * spread * 4) / 4))
      const s = settings({ temperature: [0.3, 1, 2.5][rng.below(3)], topP: 0.05 + 0.9 * rng.float() })
      const w = Array.from(logits, (z) => Math.exp((z - Math.max(...logits)) / s.temperature))
      const order = w.map((_, i) => i).sort((a, b) => w[b] - w[a] || a - b)
      const total = w.reduce((a, b) => a + b, 0)
      const kept = new Set<number>()
      let cumulative = 0
      for (const i of order) {
        kept.add(i)
        cumulative += w[i]
        if (cumulative >= s.topP * total) break
      }
      const q = samplingDistribution(logits, 0, vocab, s)
      expect(Array.from(q, (x) => x > 0)).toEqual(w.map((_, i) => kept.has(i)))
    }
  })

  it('finds the k-th largest logit correctly on random rows with repeats (against a sort)', () => {
    const rng = Rng.fromSeed(5)
    for (let trial = 0; trial < 200; trial++) {
      const vocab = 1 + rng.below(60)
      const logits = Float32Array.from({ length: vocab }, () => rng.below(7) - 3) // many ties
      const k = 1 + rng.below(vocab)
      const kth = [...logits].sort((a, b) => b - a)[k - 1]
      const kept = Array.from(samplingDistribution(logits, 0, vocab, settings({ topK: k })), (q) => q > 0)
      expect(kept).toEqual(Array.from(logits, (z) => z >= kth))
    }
  })
})

describe('sampleTokens', () => {
  it('draws tokens with the frequencies of the sampling distribution (chi-square, fixed seed)', () => {
    for (const s of [exactSampling, settings({ temperature: 0.7, topK: 4 }), settings({ topP: 0.9, minP: 0.05 })]) {
      const q = samplingDistribution(row, 0, 6, s)
      const draws = 60_000
      const batch = new Float32Array(draws * 6)
      for (let b = 0; b < draws; b++) batch.set(row, b * 6)
      const { tokens } = sampleTokens(batch, draws, 6, s, Rng.fromSeed(99))
      const counts = new Array(6).fill(0)
      for (const t of tokens) counts[t]++
      const support = Array.from(q, (x, i) => [x, i] as const).filter(([x]) => x > 0)
      for (let i = 0; i < 6; i++) if (q[i] === 0) expect(counts[i]).toBe(0)
      const statistic = chiSquare(support.map(([, i]) => counts[i]), support.map(([x]) => x * draws))
      expect(statistic).toBeLessThan(chiSquareCritical001[support.length - 1])
    }
  })

  it('returns log q under the sampling distribution and log p under the untempered model', () => {
    const s = settings({ temperature: 0.5, topK: 3 })
    const batch = new Float32Array(12)
    batch.set(row, 0)
    batch.set(Float32Array.from([0, 0, 0, 0, 0, 3]), 6)
    const out = sampleTokens(batch, 2, 6, s, Rng.fromSeed(1))
    for (let b = 0; b < 2; b++) {
      const z = batch.subarray(b * 6, b * 6 + 6)
      const token = out.tokens[b]
      const logZ = Math.log(z.reduce((a, x) => a + Math.exp(x), 0))
      expect(out.logProbs[b]).toBeCloseTo(Math.log(samplingDistribution(batch, b, 6, s)[token]), 12)
      expect(out.modelLogProbs[b]).toBeCloseTo(z[token] - logZ, 6)
    }
    const greedy = sampleTokens(batch, 2, 6, settings({ temperature: 0 }), Rng.fromSeed(1))
    expect(Array.from(greedy.tokens)).toEqual([0, 5])
    expect(Array.from(greedy.logProbs)).toEqual([0, 0])
  })

  it('gives the same tokens for the same seed, and the same continuation from a saved state', () => {
    const logits = Float32Array.from({ length: 8 * 50 }, (_, i) => Math.sin(i * 0.37) * 3)
    const draw = (rng: Rng) => Array.from(sampleTokens(logits, 8, 50, exactSampling, rng).tokens)
    expect(draw(Rng.fromSeed(3))).toEqual(draw(Rng.fromSeed(3)))
    expect(draw(Rng.fromSeed(3))).not.toEqual(draw(Rng.fromSeed(4)))
    const rng = Rng.fromSeed(3)
    draw(rng)
    const saved = JSON.parse(JSON.stringify(rng.save()))
    const next = [draw(rng), draw(rng)]
    const resumed = Rng.fromState(saved)
    expect([draw(resumed), draw(resumed)]).toEqual(next)
  })

  it('draws exactly one number per row whatever the settings', () => {
    const greedy = Rng.fromSeed(8)
    const nucleus = Rng.fromSeed(8)
    sampleTokens(new Float32Array(3 * 6).fill(1), 3, 6, settings({ temperature: 0 }), greedy)
    sampleTokens(new Float32Array(3 * 6).fill(1), 3, 6, settings({ topP: 0.3, topK: 2 }), nucleus)
    expect(greedy.save()).toEqual(nucleus.save())
    const reference = Rng.fromSeed(8)
    for (let i = 0; i < 3; i++) reference.float()
    expect(greedy.save()).toEqual(reference.save())
  })

  it('refuses settings out of range with a sentence, and tells exact sampling apart', () => {
    const rng = Rng.fromSeed(0)
    expect(() => sampleTokens(row, 1, 6, settings({ temperature: -1 }), rng)).toThrow(/temperature must be a number of at least 0/)
    expect(() => sampleTokens(row, 1, 6, settings({ topK: 1.5 }), rng)).toThrow(/top-k must be a whole number/)
    expect(() => sampleTokens(row, 1, 6, settings({ topP: 0 }), rng)).toThrow(/top-p must be above 0/)
    expect(() => sampleTokens(row, 1, 6, settings({ minP: 2 }), rng)).toThrow(/min-p must be from 0 to 1/)
    expect(isExactSampling(exactSampling)).toBe(true)
    expect(isExactSampling(settings({ topP: 0.95 }))).toBe(false)
    expect(samplingSettingsSchema.parse({})).toEqual(exactSampling)
  })
})
