import { NashlabError } from '../api/errors'
import type { SampledTokens } from './sampling'

/**
 * End-of-sequence bookkeeping over (B, T) completions stored row-major in an Int32Array. A
 * completion ends at its first EOS, which belongs to it; whatever was generated after it does not
 * (masked out of losses, metrics and decoding). `eos` is one id or several (a tokenizer's
 * `stopIds`: some models end completions on more than one token); any of them counts as EOS.
 */
export type EosIds = number | readonly number[]

function isEos(eos: EosIds): (id: number) => boolean {
  if (typeof eos === 'number') return (id) => id === eos
  const set = new Set(eos)
  return (id) => set.has(id)
}

function checkShape(tokens: ArrayLike<number>, batch: number, length: number): void {
  if (!Number.isInteger(batch) || !Number.isInteger(length) || batch < 0 || length < 0 || tokens.length !== batch * length) {
    throw new NashlabError('invalid_input', `${tokens.length} tokens are not a batch of ${batch} completions of ${length} tokens.`, { batch, length })
  }
}

/** (B) index of each row's first EOS, or −1 when the row has none. */
export function firstEosIndex(tokens: ArrayLike<number>, batch: number, length: number, eos: EosIds): Int32Array {
  checkShape(tokens, batch, length)
  const isEnd = isEos(eos)
  const first = new Int32Array(batch).fill(-1)
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < length; t++) {
      if (isEnd(tokens[b * length + t])) {
        first[b] = t
        break
      }
    }
  }
  return first
}

/** (B) tokens in each completion: up to and including the first EOS, or all T when there is none. */
export function completionLengths(tokens: ArrayLike<number>, batch: number, length: number, eos: EosIds): Int32Array {
  return firstEosIndex(tokens, batch, length, eos).map((first) => (first < 0 ? length : first + 1))
}

/** (B, T) 1 on each completion's tokens (the first EOS included), 0 after it. */
export function completionMask(tokens: ArrayLike<number>, batch: number, length: number, eos: EosIds): Uint8Array {
  const lengths = completionLengths(tokens, batch, length, eos)
  const mask = new Uint8Array(batch * length)
  for (let b = 0; b < batch; b++) mask.fill(1, b * length, b * length + lengths[b])
  return mask
}

/** (B) 1 where the completion ended with an EOS, 0 where it ran to the length limit. */
export function endedWithEos(tokens: ArrayLike<number>, batch: number, length: number, eos: EosIds): Uint8Array {
  return Uint8Array.from(firstEosIndex(tokens, batch, length, eos), (first) => (first < 0 ? 0 : 1))
}

/** Fraction of completions that contain an EOS, in [0, 1] (TRL's `val/model_contain_eos_token`); 0 for an empty batch. */
export function eosRate(tokens: ArrayLike<number>, batch: number, length: number, eos: EosIds): number {
  if (batch === 0) return 0
  let ended = 0
  for (const flag of endedWithEos(tokens, batch, length, eos)) ended += flag
  return ended / batch
}

/** A copy of the completions with every token after the first EOS replaced by `padId`. */
export function padAfterEos(tokens: ArrayLike<number>, batch: number, length: number, eos: EosIds, padId: number): Int32Array {
  const mask = completionMask(tokens, batch, length, eos)
  return Int32Array.from(tokens, (id, i) => (mask[i] ? id : padId))
}

/**
 * One generation step's bookkeeping: rows already finished get `padId` with log-probabilities 0
 * (they no longer sample), and rows that just drew an EOS are marked finished (the EOS
 * itself is kept). Changes `step` and `finished` (B) in place; returns whether every row is finished.
 */
export function holdFinished(step: SampledTokens, finished: Uint8Array, eos: EosIds, padId: number): boolean {
  const isEnd = isEos(eos)
  if (finished.length !== step.tokens.length) throw new NashlabError('invalid_input', `${finished.length} finished flags for ${step.tokens.length} rows.`)
  let all = true
  for (let b = 0; b < finished.length; b++) {
    if (finished[b]) {
      step.tokens[b] = padId
      step.logProbs[b] = 0
      step.modelLogProbs[b] = 0
    } else if (isEnd(step.tokens[b])) {
      finished[b] = 1
    } else {
      all = false
    }
  }
  return all
}
