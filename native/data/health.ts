import type { Rate } from '../api/contract'

/**
 * `count` of `of` with the Wilson score interval at 95 % (z = 1.96), which stays inside [0, 1]
 * and behaves for small samples: centre (p + z²/2n) / (1 + z²/n), half-width
 * z·sqrt(p(1−p)/n + z²/4n²) / (1 + z²/n).
 */
export function wilson(count: number, of: number, z = 1.959964): Rate {
  if (of === 0) return { count, of, rate: null, low: null, high: null }
  const p = count / of
  const z2 = z * z
  const denominator = 1 + z2 / of
  const centre = (p + z2 / (2 * of)) / denominator
  const half = (z * Math.sqrt((p * (1 - p)) / of + z2 / (4 * of * of))) / denominator
  return { count, of, rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) }
}

/** One decisive judgement of a prompt: `winner` beat `loser`. */
export interface Win {
  winner: number
  loser: number
}

export interface TriadCount {
  /** Triads of responses whose three pairs all have a strict majority. */
  triads: number
  /** Of those, the ones whose majorities go round in a cycle. */
  cyclic: number
  /** One cycle (x beats y, y beats z, z beats x), when there is one. */
  example: [number, number, number] | null
}

/**
 * Intransitivity among the responses of one prompt. Each pair's majority is the sign of
 * wins(x over y) − wins(y over x); pairs never judged or tied have none. A triad {x, y, z} whose
 * three pairs all have a majority is either transitive (one response beats both others) or
 * cyclic (each beats one and loses to one). Cost: O(k³) in the k responses compared.
 */
export function countTriads(wins: Win[]): TriadCount {
  const index = new Map<number, number>()
  for (const w of wins) {
    if (!index.has(w.winner)) index.set(w.winner, index.size)
    if (!index.has(w.loser)) index.set(w.loser, index.size)
  }
  const k = index.size
  const net = new Int32Array(k * k)
  for (const w of wins) {
    const i = index.get(w.winner)!
    const j = index.get(w.loser)!
    if (i === j) continue
    net[i * k + j]++
    net[j * k + i]--
  }
  const ids = [...index.keys()]
  let triads = 0
  let cyclic = 0
  let example: [number, number, number] | null = null
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const ij = Math.sign(net[i * k + j])
      if (ij === 0) continue
      for (let l = j + 1; l < k; l++) {
        const jl = Math.sign(net[j * k + l])
        const li = Math.sign(net[l * k + i])
        if (jl === 0 || li === 0) continue
        triads++
        // A cycle goes i→j→l→i or i←j←l←i: all three signs agree.
        if (ij === jl && jl === li) {
          cyclic++
          example ??= ij > 0 ? [ids[i], ids[j], ids[l]] : [ids[i], ids[l], ids[j]]
        }
      }
    }
  }
  return { triads, cyclic, example }
}
