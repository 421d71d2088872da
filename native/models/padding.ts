/** Rows left-padded to one width, (rows, width) each, as decoder graphs take them. */
export interface LeftPadded {
  ids: BigInt64Array
  /** 1 at a real token, 0 at padding. */
  mask: BigInt64Array
  /** Each token's index within its own row (0 at padding). */
  positions: BigInt64Array
  width: number
}

/**
 * Left-pad rows to one width (default: the longest, at least 1), so every row's last token sits in
 * the last position: ids, mask and positions as BigInt64 arrays (rows, width).
 */
export function leftPadded(rows: readonly (readonly number[])[], width = Math.max(1, ...rows.map((r) => r.length))): LeftPadded {
  const ids = new BigInt64Array(rows.length * width)
  const mask = new BigInt64Array(rows.length * width)
  const positions = new BigInt64Array(rows.length * width)
  rows.forEach((row, r) => {
    const pad = width - row.length
    row.forEach((token, t) => {
      ids[r * width + pad + t] = BigInt(token)
      mask[r * width + pad + t] = 1n
      positions[r * width + pad + t] = BigInt(t)
    })
  })
  return { ids, mask, positions, width }
}
