/** A small deterministic generator of uniforms in [0, 1) (mulberry32), so that a seed names a game. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A random preference matrix: P[i][j] uniform for i < j, P[j][i] = 1 − P[i][j], diagonal ½. */
export function randomPreferences(n: number, next: () => number): number[][] {
  const P = Array.from({ length: n }, () => new Array<number>(n).fill(0.5))
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      P[i][j] = next()
      P[j][i] = 1 - P[i][j]
    }
  }
  return P
}

/** A random probability vector with every entry at least `floor` before normalising. */
export function randomDistribution(n: number, next: () => number, floor = 0.05): number[] {
  const v = Array.from({ length: n }, () => floor + next())
  const s = v.reduce((a, b) => a + b, 0)
  return v.map((x) => x / s)
}
