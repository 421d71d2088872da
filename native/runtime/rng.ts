import { NashlabError } from '../api/errors'

/** The whole state of an {@link Rng}: four 32-bit words. Save it in a checkpoint's manifest. */
export interface RngState {
  algorithm: 'xoshiro128**'
  state: [number, number, number, number]
}

/**
 * A small seedable random number generator whose full state can be saved and restored, so a resumed
 * job draws exactly the numbers the uninterrupted job would have drawn (sampling, shuffling, dropout).
 *
 * Algorithm: xoshiro128** by Blackman and Vigna (period 2^128 − 1, 32-bit outputs, all arithmetic in
 * 32-bit integers, so it is exact in JavaScript). Seeds are spread over the 128-bit state with
 * splitmix32, the seeding the authors recommend, so nearby seeds give unrelated streams.
 * `jump()` advances by 2^64 draws: call it k times on copies of one generator to get k streams that
 * never overlap (one per data loader or worker).
 *
 * Not for cryptography.
 */
export class Rng {
  private s0: number
  private s1: number
  private s2: number
  private s3: number

  private constructor(words: readonly number[]) {
    ;[this.s0, this.s1, this.s2, this.s3] = words.map((w) => w >>> 0)
  }

  /** A generator from a seed: a non-negative safe integer (both 32-bit halves are used). */
  static fromSeed(seed: number): Rng {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new NashlabError('invalid_input', `A random seed must be a non-negative whole number, got ${seed}.`, { seed })
    }
    const mix = splitmix32((seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32), 0x9e3779b9))
    return new Rng([mix(), mix(), mix(), mix()])
  }

  /** A generator that continues exactly where the saved one stopped. */
  static fromState(saved: RngState): Rng {
    const words = saved?.state
    const valid =
      saved?.algorithm === 'xoshiro128**' &&
      Array.isArray(words) &&
      words.length === 4 &&
      words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) &&
      words.some((w) => w !== 0)
    if (!valid) {
      throw new NashlabError('invalid_input', 'A saved random state must be xoshiro128** with four 32-bit words, not all zero.', { saved })
    }
    return new Rng(words)
  }

  /** The state to save; `Rng.fromState(rng.save())` draws the same numbers as `rng` from here on. */
  save(): RngState {
    return { algorithm: 'xoshiro128**', state: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0] }
  }

  /** An independent copy with the same state. */
  clone(): Rng {
    return new Rng([this.s0, this.s1, this.s2, this.s3])
  }

  /** The next 32-bit output, an integer in [0, 2^32). */
  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0
    const t = this.s1 << 9
    this.s2 ^= this.s0
    this.s3 ^= this.s1
    this.s1 ^= this.s2
    this.s0 ^= this.s3
    this.s2 ^= t
    this.s3 = rotl(this.s3, 11)
    return result
  }

  /** A double in [0, 1) with 53 random bits (two draws). */
  float(): number {
    const high = this.uint32() >>> 5 // 27 bits
    const low = this.uint32() >>> 6 // 26 bits
    return (high * 67108864 + low) / 9007199254740992
  }

  /** An integer in [0, n), unbiased (rejection of the short last bucket); n ≤ 2^32. */
  below(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) {
      throw new NashlabError('invalid_input', `Rng.below needs a whole number from 1 to 2^32, got ${n}.`, { n })
    }
    const limit = 2 ** 32 - (2 ** 32 % n)
    for (;;) {
      const x = this.uint32()
      if (x < limit) return x % n
    }
  }

  /** A standard normal draw (Box–Muller, two uniform draws per value; nothing is cached between calls). */
  normal(): number {
    const u = 1 - this.float() // (0, 1], so the log is finite
    const v = this.float()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }

  /** Shuffle in place (Fisher–Yates) and return the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.below(i + 1)
      ;[items[i], items[j]] = [items[j], items[i]]
    }
    return items
  }

  /** Advance by 2^64 draws (the reference jump polynomial); returns this generator. */
  jump(): this {
    let t0 = 0
    let t1 = 0
    let t2 = 0
    let t3 = 0
    for (const word of jumpPolynomial) {
      for (let b = 0; b < 32; b++) {
        if ((word >>> b) & 1) {
          t0 ^= this.s0
          t1 ^= this.s1
          t2 ^= this.s2
          t3 ^= this.s3
        }
        this.uint32()
      }
    }
    this.s0 = t0 >>> 0
    this.s1 = t1 >>> 0
    this.s2 = t2 >>> 0
    this.s3 = t3 >>> 0
    return this
  }
}

const jumpPolynomial = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b]

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}

/** splitmix32: a stream of well-mixed 32-bit words from one seed (used only to fill the state). */
function splitmix32(seed: number): () => number {
  let z = seed >>> 0
  return () => {
    z = (z + 0x9e3779b9) >>> 0
    let x = z
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
    return (x ^ (x >>> 16)) >>> 0
  }
}
