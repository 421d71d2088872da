/**
 * A binary min-heap of (primary, secondary) number pairs, ordered by primary, then secondary.
 * BPE uses it twice: encoding pops the lowest (merge rank, position); training pops the highest
 * pair count as (−count, pair key), so equal counts come out smallest pair first.
 */
export class PairHeap {
  private readonly primary: number[] = []
  private readonly secondary: number[] = []

  get size(): number {
    return this.primary.length
  }

  /** The smallest entry's primary value (undefined when empty). */
  get topPrimary(): number {
    return this.primary[0]
  }

  /** The smallest entry's secondary value (undefined when empty). */
  get topSecondary(): number {
    return this.secondary[0]
  }

  push(primary: number, secondary: number): void {
    const p = this.primary
    const s = this.secondary
    let i = p.length
    p.push(primary)
    s.push(secondary)
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (p[parent] < primary || (p[parent] === primary && s[parent] <= secondary)) break
      p[i] = p[parent]
      s[i] = s[parent]
      i = parent
    }
    p[i] = primary
    s[i] = secondary
  }

  /** Remove the smallest entry. */
  pop(): void {
    const p = this.primary
    const s = this.secondary
    const lastP = p.pop()!
    const lastS = s.pop()!
    const n = p.length
    if (n === 0) return
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      if (left >= n) break
      const right = left + 1
      const child = right < n && (p[right] < p[left] || (p[right] === p[left] && s[right] < s[left])) ? right : left
      if (lastP < p[child] || (lastP === p[child] && lastS <= s[child])) break
      p[i] = p[child]
      s[i] = s[child]
      i = child
    }
    p[i] = lastP
    s[i] = lastS
  }

  clear(): void {
    this.primary.length = 0
    this.secondary.length = 0
  }
}
