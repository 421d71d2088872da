/**
 * Solve the dense linear system A x = b by Gaussian elimination with partial pivoting.
 * `A` is n × n (row-major arrays, not modified); returns x, or null when A is singular to
 * working precision (a pivot below `1e-14 ·` the largest entry).
 */
export function solveLinear(A: readonly (ArrayLike<number>)[], b: ArrayLike<number>): Float64Array | null {
  const n = b.length
  const m = A.map((row, i) => {
    const r = new Float64Array(n + 1)
    for (let j = 0; j < n; j++) r[j] = row[j]
    r[n] = b[i]
    return r
  })
  let scale = 0
  for (const row of m) for (let j = 0; j < n; j++) scale = Math.max(scale, Math.abs(row[j]))
  if (scale === 0) return null
  for (let col = 0; col < n; col++) {
    let pivot = col
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r
    if (Math.abs(m[pivot][col]) <= 1e-14 * scale) return null
    if (pivot !== col) [m[pivot], m[col]] = [m[col], m[pivot]]
    const p = m[col]
    for (let r = col + 1; r < n; r++) {
      const f = m[r][col] / p[col]
      if (f === 0) continue
      const row = m[r]
      for (let j = col; j <= n; j++) row[j] -= f * p[j]
    }
  }
  const x = new Float64Array(n)
  for (let i = n - 1; i >= 0; i--) {
    let s = m[i][n]
    for (let j = i + 1; j < n; j++) s -= m[i][j] * x[j]
    x[i] = s / m[i][i]
  }
  return x
}
