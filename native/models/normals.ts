import type { Rng } from '../runtime/rng'

/** `n` draws of N(0, std²) as float32 (weight initialisation, test data). */
export function normals(rng: Rng, n: number, std = 1): Float32Array {
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = rng.normal() * std
  return out
}
