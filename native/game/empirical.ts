/**
 * Accumulates pairwise judgements among n actions into an empirical preference matrix:
 * P[i][j] = (wins of i over j + ½ ties) / judgements of the pair, ½ for pairs never compared.
 */
export class PairTally {
  private readonly wins: number[][]
  private readonly counts: number[][]

  constructor(readonly n: number) {
    this.wins = Array.from({ length: n }, () => new Array<number>(n).fill(0))
    this.counts = Array.from({ length: n }, () => new Array<number>(n).fill(0))
  }

  /** `judgements` comparisons of i against j of which i won `winsOfI` (ties counted ½). */
  add(i: number, j: number, winsOfI: number, judgements = 1): void {
    this.wins[i][j] += winsOfI
    this.wins[j][i] += judgements - winsOfI
    this.counts[i][j] += judgements
    this.counts[j][i] += judgements
  }

  matrix(): { P: number[][]; counts: number[][]; missing: [number, number][] } {
    const missing: [number, number][] = []
    for (let i = 0; i < this.n; i++) for (let j = i + 1; j < this.n; j++) if (this.counts[i][j] === 0) missing.push([i, j])
    const P = this.wins.map((row, i) =>
      row.map((w, j) => {
        if (i === j || this.counts[i][j] === 0) return 0.5
        // The upper cell is computed and the lower one mirrored, so P + Pᵀ = 1 holds exactly.
        return i < j ? w / this.counts[i][j] : 1 - this.wins[j][i] / this.counts[i][j]
      }),
    )
    return { P, counts: this.counts.map((r) => [...r]), missing }
  }
}
