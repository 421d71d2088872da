import { describe, expect, it } from 'vitest'
import { Rng } from './rng'

describe('Rng (xoshiro128**)', () => {
  it('matches the reference C implementation from state (1, 2, 3, 4), before and after a jump', () => {
    // Outputs of Blackman and Vigna's xoshiro128starstar.c (next() and jump()) from s = {1, 2, 3, 4}.
    const rng = Rng.fromState({ algorithm: 'xoshiro128**', state: [1, 2, 3, 4] })
    expect(Array.from({ length: 6 }, () => rng.uint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492])
    rng.jump()
    expect(rng.save().state).toEqual([3484745028, 1171080849, 4139821887, 2899474097])
    expect(Array.from({ length: 4 }, () => rng.uint32())).toEqual([2327035934, 1140626159, 913312880, 2049367984])
  })

  it('continues the same stream after its state is saved to JSON and restored', () => {
    const rng = Rng.fromSeed(1234)
    for (let i = 0; i < 1000; i++) rng.uint32()
    const saved = JSON.parse(JSON.stringify(rng.save()))
    const restored = Rng.fromState(saved)
    const draw = (r: Rng) => [r.uint32(), r.float(), r.below(7), r.normal(), r.shuffle([1, 2, 3, 4, 5, 6, 7, 8])]
    for (let i = 0; i < 200; i++) expect(draw(restored)).toEqual(draw(rng))
  })

  it('gives the same stream for the same seed and different streams for nearby seeds', () => {
    const stream = (seed: number) => {
      const r = Rng.fromSeed(seed)
      return Array.from({ length: 8 }, () => r.uint32())
    }
    expect(stream(42)).toEqual(stream(42))
    expect(stream(42)).not.toEqual(stream(43))
    expect(stream(2 ** 40)).not.toEqual(stream(0))
  })

  it('draws uniform floats in [0, 1) and unbiased integers below n', () => {
    const rng = Rng.fromSeed(7)
    const counts = new Array(5).fill(0)
    let sum = 0
    let low = 1
    let high = 0
    const n = 50_000
    for (let i = 0; i < n; i++) {
      const f = rng.float()
      low = Math.min(low, f)
      high = Math.max(high, f)
      sum += f
      counts[rng.below(5)]++
    }
    expect(low).toBeGreaterThanOrEqual(0)
    expect(high).toBeLessThan(1)
    // Mean of U(0,1) has standard deviation 1/sqrt(12 n) ≈ 0.0013; each bucket count ≈ 10000 ± 90.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01)
    for (const c of counts) expect(Math.abs(c - n / 5)).toBeLessThan(600)
  })

  it('refuses bad seeds and bad saved states with a sentence', () => {
    expect(() => Rng.fromSeed(-1)).toThrow(/non-negative whole number/)
    expect(() => Rng.fromSeed(1.5)).toThrow(/non-negative whole number/)
    expect(() => Rng.fromState({ algorithm: 'xoshiro128**', state: [0, 0, 0, 0] })).toThrow(/not all zero/)
  })
})
