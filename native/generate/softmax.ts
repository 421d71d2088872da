import { NashlabError } from '../api/errors'

/**
 * Row-wise softmax arithmetic over (B, V) logits stored row-major in a Float32Array. Sums run in
 * float64 and subtract the row maximum first, so large logits neither overflow nor lose the small
 * probabilities. −Infinity logits (masked tokens) get probability 0.
 */

/** The largest logit of row `row`; refuses a row holding NaN or +∞, or whose every entry is −∞. */
export function rowMax(logits: Float32Array, row: number, vocab: number): number {
  const offset = row * vocab
  let max = -Infinity
  for (let v = 0; v < vocab; v++) {
    const z = logits[offset + v]
    if (Number.isNaN(z)) throw new NashlabError('invalid_input', `Row ${row} of the logits holds NaN at token ${v}.`, { row, token: v })
    if (z > max) max = z
  }
  if (!Number.isFinite(max)) {
    throw new NashlabError('invalid_input', `Row ${row} of the logits has ${max > 0 ? 'an infinite logit' : 'no finite logit'}, so it gives no distribution.`, { row })
  }
  return max
}

/** log Σ_v exp(z_v) of one row (the log-partition function). */
export function rowLogSumExp(logits: Float32Array, row: number, vocab: number): number {
  const max = rowMax(logits, row, vocab)
  const offset = row * vocab
  let sum = 0
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[offset + v] - max)
  return max + Math.log(sum)
}

/** (B, V) log-softmax: log p_v = z_v − log Σ exp z. */
export function logSoftmax(logits: Float32Array, batch: number, vocab: number, out = new Float32Array(batch * vocab)): Float32Array {
  checkShape(logits, batch, vocab)
  for (let b = 0; b < batch; b++) {
    const lse = rowLogSumExp(logits, b, vocab)
    const offset = b * vocab
    for (let v = 0; v < vocab; v++) out[offset + v] = logits[offset + v] - lse
  }
  return out
}

/** (B, V) softmax. */
export function softmax(logits: Float32Array, batch: number, vocab: number, out = new Float32Array(batch * vocab)): Float32Array {
  checkShape(logits, batch, vocab)
  for (let b = 0; b < batch; b++) {
    const lse = rowLogSumExp(logits, b, vocab)
    const offset = b * vocab
    for (let v = 0; v < vocab; v++) out[offset + v] = Math.exp(logits[offset + v] - lse)
  }
  return out
}

/** (B) log-probability of `tokens[b]` under softmax of row b: how likely a model found a token (sampled by any other means). */
export function gatherLogProbs(logits: Float32Array, batch: number, vocab: number, tokens: ArrayLike<number>): Float64Array {
  checkShape(logits, batch, vocab)
  const out = new Float64Array(batch)
  for (let b = 0; b < batch; b++) {
    const token = tokens[b]
    if (!(Number.isInteger(token) && token >= 0 && token < vocab)) throw new NashlabError('invalid_input', `Token ${token} of row ${b} is outside the vocabulary of ${vocab}.`, { row: b })
    out[b] = logits[b * vocab + token] - rowLogSumExp(logits, b, vocab)
  }
  return out
}

/** (B) entropy in nats of each row's softmax: −Σ p log p. */
export function entropy(logits: Float32Array, batch: number, vocab: number): Float64Array {
  checkShape(logits, batch, vocab)
  const out = new Float64Array(batch)
  for (let b = 0; b < batch; b++) {
    const lse = rowLogSumExp(logits, b, vocab)
    const offset = b * vocab
    let h = 0
    for (let v = 0; v < vocab; v++) {
      const logp = logits[offset + v] - lse
      if (logp > -Infinity) h -= Math.exp(logp) * logp
    }
    out[b] = h
  }
  return out
}

/** Refuse logits whose length is not batch × vocab. */
export function checkShape(logits: Float32Array, batch: number, vocab: number): void {
  if (!Number.isInteger(batch) || !Number.isInteger(vocab) || batch < 0 || vocab < 1 || logits.length !== batch * vocab) {
    throw new NashlabError('invalid_input', `Logits of length ${logits.length} are not a batch of ${batch} rows of ${vocab} tokens.`, { batch, vocab, length: logits.length })
  }
}
