import { NashlabError } from '../../api/errors'

/** Rows of ids of different lengths laid out as one (B, W) block. */
export interface PaddedBatch {
  batch: number
  width: number
  /** (B, W) row-major ids; padded positions hold the pad id. */
  ids: Int32Array
  /** (B, W) 1 at real tokens, 0 at padding. */
  mask: Uint8Array
  /** (B) real tokens per row. */
  lengths: Int32Array
}

export interface PadOptions {
  /** 'left' puts padding before the tokens, so every prompt ends at the last column (generation); 'right' after them (training). Default 'right'. */
  side?: 'left' | 'right'
  /** Columns; default the longest row. A row longer than this is refused (truncate first). */
  width?: number
}

/** Pad rows of ids to one width with `padId`. */
export function padBatch(rows: readonly ArrayLike<number>[], padId: number, options: PadOptions = {}): PaddedBatch {
  const side = options.side ?? 'right'
  let longest = 0
  for (const row of rows) longest = Math.max(longest, row.length)
  const width = options.width ?? longest
  if (longest > width) throw new NashlabError('invalid_input', `A row of ${longest} tokens does not fit a padded width of ${width}; truncate it first.`)
  const batch = rows.length
  const ids = new Int32Array(batch * width).fill(padId)
  const mask = new Uint8Array(batch * width)
  const lengths = new Int32Array(batch)
  rows.forEach((row, b) => {
    const offset = b * width + (side === 'left' ? width - row.length : 0)
    for (let t = 0; t < row.length; t++) {
      ids[offset + t] = row[t]
      mask[offset + t] = 1
    }
    lengths[b] = row.length
  })
  return { batch, width, ids, mask, lengths }
}

/** Keep at most `maxLength` ids of each row: its last ones ('end', for prompts whose end matters) or its first ('start'). */
export function truncateRows(rows: readonly number[][], maxLength: number, keep: 'start' | 'end'): number[][] {
  if (!Number.isInteger(maxLength) || maxLength < 0) throw new NashlabError('invalid_input', `A maximum length must be a whole number of at least 0, got ${maxLength}.`)
  return rows.map((row) => (row.length <= maxLength ? row : keep === 'end' ? row.slice(row.length - maxLength) : row.slice(0, maxLength)))
}

/**
 * Position ids for a padded (B, W) mask: each real token's index among the real tokens of its row;
 * padded positions get 0. With left padding a prompt's first token is still at position 0.
 */
export function positionIds(mask: Uint8Array, batch: number, width: number): Int32Array {
  const positions = new Int32Array(batch * width)
  for (let b = 0; b < batch; b++) {
    let seen = 0
    for (let t = 0; t < width; t++) {
      const i = b * width + t
      if (mask[i]) positions[i] = seen++
    }
  }
  return positions
}
