/**
 * A tabular autoregressive policy over a tiny vocabulary with short completions, small enough
 * that every completion can be enumerated. It is the exact reference the Nash-MD-PG estimator is
 * checked against: sequence probabilities, exact objectives and exact score-function gradients.
 * Logits are stored per prefix (every prefix shorter than `maxLength` that has not ended).
 */
export class TabularPolicy {
  readonly prefixes: string[]
  readonly index = new Map<string, number>()

  constructor(
    readonly vocab: number,
    readonly eos: number,
    readonly maxLength: number,
    /** Logits, prefixes × vocab, row-major. */
    readonly logits: Float64Array = new Float64Array(0),
  ) {
    this.prefixes = []
    const walk = (prefix: number[]) => {
      if (prefix.length >= maxLength) return
      this.index.set(prefix.join(','), this.prefixes.length)
      this.prefixes.push(prefix.join(','))
      for (let t = 0; t < vocab; t++) if (t !== eos) walk([...prefix, t])
    }
    walk([])
    if (this.logits.length === 0) this.logits = new Float64Array(this.prefixes.length * vocab)
  }

  static random(vocab: number, eos: number, maxLength: number, random: () => number, scale = 1): TabularPolicy {
    const p = new TabularPolicy(vocab, eos, maxLength)
    for (let i = 0; i < p.logits.length; i++) p.logits[i] = (random() * 2 - 1) * scale
    return p
  }

  clone(logits = this.logits): TabularPolicy {
    return new TabularPolicy(this.vocab, this.eos, this.maxLength, Float64Array.from(logits))
  }

  /** log softmax of the logits at a prefix. */
  logProbsAt(prefix: readonly number[]): Float64Array {
    const row = this.index.get(prefix.join(','))!
    const z = this.logits.subarray(row * this.vocab, (row + 1) * this.vocab)
    let max = -Infinity
    for (const v of z) max = Math.max(max, v)
    let sum = 0
    for (const v of z) sum += Math.exp(v - max)
    const log = Math.log(sum) + max
    return Float64Array.from(z, (v) => v - log)
  }

  /** Every completion: ends at its first EOS, or is cut at maxLength without one. */
  sequences(): number[][] {
    const out: number[][] = []
    const walk = (prefix: number[]) => {
      for (let t = 0; t < this.vocab; t++) {
        const next = [...prefix, t]
        if (t === this.eos || next.length === this.maxLength) out.push(next)
        else walk(next)
      }
    }
    walk([])
    return out
  }

  /** Per-token log-probabilities of a completion. */
  tokenLogProbs(sequence: readonly number[]): number[] {
    return sequence.map((t, n) => this.logProbsAt(sequence.slice(0, n))[t])
  }

  logProb(sequence: readonly number[]): number {
    return this.tokenLogProbs(sequence).reduce((s, v) => s + v, 0)
  }

  /** Add `weight` · ∇_logits log π(y_n | y_<n) for every token n of `sequence`, scaled per token. */
  accumulateScoreGradient(sequence: readonly number[], tokenWeights: readonly number[], into: Float64Array): void {
    sequence.forEach((t, n) => {
      const prefix = sequence.slice(0, n)
      const row = this.index.get(prefix.join(','))!
      const logp = this.logProbsAt(prefix)
      for (let v = 0; v < this.vocab; v++) into[row * this.vocab + v] += tokenWeights[n] * ((v === t ? 1 : 0) - Math.exp(logp[v]))
    })
  }
}

/** A sequence-level preference table P(y ≻ y′), antisymmetric: P + Pᵀ = 1. */
export function randomPreference(count: number, random: () => number): number[][] {
  const P = Array.from({ length: count }, () => new Array<number>(count).fill(0.5))
  for (let i = 0; i < count; i++)
    for (let j = i + 1; j < count; j++) {
      const v = 0.5 + 0.5 * Math.tanh(3 * (random() * 2 - 1))
      P[i][j] = v
      P[j][i] = 1 - v
    }
  return P
}
