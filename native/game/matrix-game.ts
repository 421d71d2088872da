import { NashlabError } from '../api/errors'
import { solveLinear } from './linear'
import type { Matrix } from './vector'

/** Optimal strategies of the zero-sum game where the row player receives M[i][j]. */
export interface MatrixGameSolution {
  /** The row player's maximin strategy p (for a preference matrix: the maximal lottery). */
  row: Float64Array
  /** The column player's minimax strategy q. */
  column: Float64Array
  /** The value pᵀ M q. */
  value: number
  /** min_j (pᵀ M)_j: what p guarantees. */
  lower: number
  /** max_i (M q)_i: what q concedes. upper − lower ≥ 0 is the duality gap (0 at optimum). */
  upper: number
  /** Simplex pivots taken. */
  pivots: number
}

/** Reduced costs and pivots at or below this count as zero. */
const tolerance = 1e-11

/**
 * Solve max_p min_q pᵀ M q over probability vectors by linear programming (a dense simplex with
 * Bland's rule, so degenerate games cannot cycle). The game is shifted to B = M − min M + 1 > 0
 * and the column player's LP is solved:
 *   maximise Σ y  subject to  B y ≤ 1, y ≥ 0,
 * whose optimum S gives the shifted value 1/S, q = y/S, and whose dual u (Bᵀ u ≥ 1) gives p = u/S.
 * At the end the final basis is solved again directly (Gaussian elimination) so the strategies are
 * exact to rounding rather than carrying the tableau's accumulated error.
 */
export function solveMatrixGame(M: Matrix): MatrixGameSolution {
  const m = M.length
  const k = m > 0 ? M[0].length : 0
  if (m === 0 || k === 0) throw new NashlabError('invalid_input', 'The matrix is empty; a game needs at least one row and one column.', { field: 'P' })
  let low = Infinity
  for (let i = 0; i < m; i++) {
    if (M[i].length !== k) {
      throw new NashlabError('invalid_input', `Row ${i} of P has ${M[i].length} entries, but row 0 has ${k}; every row needs the same length.`, { field: 'P', row: i })
    }
    for (let j = 0; j < k; j++) {
      if (!Number.isFinite(M[i][j])) throw new NashlabError('invalid_input', `P[${i}][${j}] = ${M[i][j]} is not a finite number.`, { field: 'P', cell: [i, j] })
      low = Math.min(low, M[i][j])
    }
  }
  const shift = 1 - low
  const B = M.map((row) => row.map((v) => v + shift))
  const columns = k + m // structural y_0..y_{k−1}, then slacks s_0..s_{m−1}
  const tableau = B.map((row, i) => {
    const r = new Float64Array(columns + 1)
    for (let j = 0; j < k; j++) r[j] = row[j]
    r[k + i] = 1
    r[columns] = 1
    return r
  })
  const reduced = new Float64Array(columns + 1)
  for (let j = 0; j < k; j++) reduced[j] = 1
  const basis = Array.from({ length: m }, (_, i) => k + i)

  let pivots = 0
  const limit = 50 * (m + k) * (m + k) + 1000
  for (; pivots < limit; pivots++) {
    let entering = -1
    for (let j = 0; j < columns; j++) {
      if (reduced[j] > tolerance) {
        entering = j
        break
      }
    }
    if (entering === -1) break
    let leaving = -1
    let best = Infinity
    for (let i = 0; i < m; i++) {
      const a = tableau[i][entering]
      if (a <= tolerance) continue
      const ratio = tableau[i][columns] / a
      if (ratio < best - 1e-14 || (Math.abs(ratio - best) <= 1e-14 && basis[i] < basis[leaving])) {
        best = ratio
        leaving = i
      }
    }
    // B > 0 keeps the LP bounded, so some row always limits the entering column.
    if (leaving === -1) throw new NashlabError('internal', 'The simplex found an unbounded direction in a bounded game; this is a bug.')
    pivot(tableau, reduced, leaving, entering)
    basis[leaving] = entering
  }
  if (pivots >= limit) throw new NashlabError('internal', `The simplex did not finish within ${limit} pivots; this is a bug.`)

  const column = (b: number, i: number) => (b < k ? B[i][b] : b - k === i ? 1 : 0)
  const primalBasic = solveLinear(
    Array.from({ length: m }, (_, i) => basis.map((b) => column(b, i))),
    new Float64Array(m).fill(1),
  )
  const dual = solveLinear(
    basis.map((b) => Float64Array.from({ length: m }, (_, i) => column(b, i))),
    Float64Array.from(basis, (b) => (b < k ? 1 : 0)),
  )
  const y = new Float64Array(k)
  const u = new Float64Array(m)
  if (primalBasic && dual) {
    basis.forEach((b, i) => {
      if (b < k) y[b] = primalBasic[i]
    })
    u.set(dual)
  } else {
    basis.forEach((b, i) => {
      if (b < k) y[b] = tableau[i][columns]
    })
    for (let i = 0; i < m; i++) u[i] = -reduced[k + i]
  }
  const q = toDistribution(y)
  const p = toDistribution(u)
  const mq = new Float64Array(m)
  const pm = new Float64Array(k)
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) {
    mq[i] += M[i][j] * q[j]
    pm[j] += p[i] * M[i][j]
  }
  let value = 0
  for (let i = 0; i < m; i++) value += p[i] * mq[i]
  return { row: p, column: q, value, lower: Math.min(...pm), upper: Math.max(...mq), pivots }
}

/** One simplex pivot on (row r, column c), objective row included. */
function pivot(tableau: Float64Array[], reduced: Float64Array, r: number, c: number): void {
  const p = tableau[r]
  const inv = 1 / p[c]
  for (let j = 0; j < p.length; j++) p[j] *= inv
  p[c] = 1
  for (let i = 0; i < tableau.length; i++) {
    if (i === r) continue
    const row = tableau[i]
    const f = row[c]
    if (f === 0) continue
    for (let j = 0; j < row.length; j++) row[j] -= f * p[j]
    row[c] = 0
  }
  const f = reduced[c]
  for (let j = 0; j < reduced.length; j++) reduced[j] -= f * p[j]
  reduced[c] = 0
}

/** Clip rounding-level negatives to 0 and scale to sum 1. */
function toDistribution(v: Float64Array): Float64Array {
  let sum = 0
  for (let i = 0; i < v.length; i++) {
    if (!(v[i] > 0)) v[i] = 0
    sum += v[i]
  }
  for (let i = 0; i < v.length; i++) v[i] /= sum
  return v
}
