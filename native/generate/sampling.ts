import { z } from 'zod'
import { NashlabError } from '../api/errors'
import type { Rng } from '../runtime/rng'
import { checkShape, rowMax } from './softmax'

/**
 * How the next token is drawn from a row of logits z (one row per sequence of the batch).
 * The sampling distribution q is built in this order, each step acting on what the previous left:
 *   1. temperature T: q ∝ exp(z / T); T = 0 means greedy (all mass on the largest logit, lowest id on ties);
 *   2. top-k: keep the tokens whose logit is at least the k-th largest (ties at the k-th are all kept);
 *   3. top-p (nucleus): sort the kept tokens by probability (ties by id) and keep the shortest prefix
 *      whose probability reaches p;
 *   4. min-p: drop the tokens whose probability is below minP × the largest probability;
 * then q is renormalised over what is kept. Nash-MD-PG's estimator is unbiased only with the exact
 * model distribution (T = 1, no truncation: `exactSampling`); anything else is a deviation to log.
 */
export interface SamplingSettings {
  /** ≥ 0; 1 is the model's own distribution, < 1 sharper, > 1 flatter, 0 greedy. */
  temperature: number
  /** Whole number ≥ 0; 0 keeps every token. */
  topK: number
  /** In (0, 1]; 1 keeps every token. */
  topP: number
  /** In [0, 1]; 0 keeps every token. */
  minP: number
}

/** Temperature 1 and no truncation: tokens drawn from the model's own distribution. */
export const exactSampling: SamplingSettings = { temperature: 1, topK: 0, topP: 1, minP: 0 }

export const samplingSettingsSchema = z.object({
  temperature: z.number().min(0).max(1000).default(1),
  topK: z.number().int().min(0).default(0),
  topP: z.number().gt(0).max(1).default(1),
  minP: z.number().min(0).max(1).default(0),
})

/** True when `settings` draw from the model's own distribution (see `exactSampling`). */
export function isExactSampling(settings: SamplingSettings): boolean {
  return settings.temperature === 1 && settings.topK === 0 && settings.topP === 1 && settings.minP === 0
}

/** One sampled token per row, with its log-probabilities. */
export interface SampledTokens {
  /** (B) the drawn ids. */
  tokens: Int32Array
  /** (B) log q(token): under the sampling distribution (after temperature and truncation); 0 when greedy. */
  logProbs: Float64Array
  /** (B) log softmax(z)(token): under the untempered, untruncated model distribution. */
  modelLogProbs: Float64Array
}

/**
 * Draw one token from each row of (B, V) logits. Exactly one `rng.float()` is drawn per row, in row
 * order, whatever the settings (greedy rows too), so the generator's position depends only on how
 * many rows were sampled: a run resumed from a saved state draws the same tokens.
 * The token is found by inverse CDF over ids in increasing order.
 */
export function sampleTokens(logits: Float32Array, batch: number, vocab: number, settings: SamplingSettings, rng: Rng): SampledTokens {
  checkShape(logits, batch, vocab)
  checkSettings(settings, vocab)
  const tokens = new Int32Array(batch)
  const logProbs = new Float64Array(batch)
  const modelLogProbs = new Float64Array(batch)
  const scratch = scratchFor(vocab)
  for (let b = 0; b < batch; b++) {
    const { total, logPartition } = fillWeights(logits, b, vocab, settings, scratch)
    const weights = scratch.weights
    const u = rng.float() * total
    let token = -1
    let cumulative = 0
    for (let v = 0; v < vocab; v++) {
      const w = weights[v]
      if (w === 0) continue
      cumulative += w
      token = v // the last kept token, should rounding leave u beyond the final sum
      if (cumulative > u) break
    }
    tokens[b] = token
    logProbs[b] = Math.log(weights[token]) - Math.log(total)
    modelLogProbs[b] = logits[b * vocab + token] - logPartition
  }
  return { tokens, logProbs, modelLogProbs }
}

/** The sampling distribution q of one row (length V, sums to 1): what `sampleTokens` draws from. */
export function samplingDistribution(logits: Float32Array, row: number, vocab: number, settings: SamplingSettings): Float64Array {
  checkSettings(settings, vocab)
  if (!Number.isInteger(row) || row < 0 || (row + 1) * vocab > logits.length) throw new NashlabError('invalid_input', `Row ${row} is outside logits of ${logits.length / vocab} rows.`)
  const scratch = new Scratch(vocab)
  const { total } = fillWeights(logits, row, vocab, settings, scratch)
  return scratch.weights.map((w) => w / total)
}

/** Buckets of top-p's partial sort: bucket i holds logits between i/2 and (i + 1)/2 below the maximum (after temperature). */
const nucleusBuckets = 64

/** The work buffers of the last vocabulary sampled from, kept between calls (a 32 k vocabulary's are 450 KB per step otherwise). */
let lastScratch: Scratch | undefined

function scratchFor(vocab: number): Scratch {
  if (lastScratch?.weights.length !== vocab) lastScratch = new Scratch(vocab)
  return lastScratch
}

/** Work buffers reused across the rows of a call (and across calls, see `scratchFor`). */
class Scratch {
  readonly weights: Float64Array
  readonly values: Float32Array
  readonly order: Int32Array
  readonly bucketSums = new Float64Array(nucleusBuckets)
  constructor(vocab: number) {
    this.weights = new Float64Array(vocab)
    this.values = new Float32Array(vocab)
    this.order = new Int32Array(vocab)
  }
}

/**
 * Unnormalised q of row `row` into `scratch.weights` (the largest kept weight is 1). Returns Σ weights
 * and the row's untempered log-partition log Σ exp z (for the model's log-probabilities).
 */
function fillWeights(logits: Float32Array, row: number, vocab: number, settings: SamplingSettings, scratch: Scratch): { total: number; logPartition: number } {
  const offset = row * vocab
  const weights = scratch.weights
  const max = rowMax(logits, row, vocab)
  const temperature = settings.temperature
  let modelSum = 0
  if (temperature === 0) {
    weights.fill(0)
    let first = -1
    for (let v = 0; v < vocab; v++) {
      const z = logits[offset + v]
      if (first < 0 && z === max) first = v
      modelSum += Math.exp(z - max)
    }
    weights[first] = 1
    return { total: 1, logPartition: max + Math.log(modelSum) }
  }
  const inverseTemperature = 1 / temperature
  let total = 0
  for (let v = 0; v < vocab; v++) {
    const w = Math.exp((logits[offset + v] - max) * inverseTemperature)
    weights[v] = w
    total += w
  }
  if (temperature === 1) modelSum = total
  else for (let v = 0; v < vocab; v++) modelSum += Math.exp(logits[offset + v] - max)
  const logPartition = max + Math.log(modelSum)
  const truncated = (settings.topK > 0 && settings.topK < vocab) || settings.topP < 1 || settings.minP > 0
  if (!truncated) return { total, logPartition }

  if (settings.topK > 0 && settings.topK < vocab) {
    const values = scratch.values
    values.set(logits.subarray(offset, offset + vocab))
    const threshold = kthLargest(values, settings.topK)
    for (let v = 0; v < vocab; v++) if (logits[offset + v] < threshold) weights[v] = 0
  }
  if (settings.topP < 1) keepNucleus(logits, offset, vocab, max, inverseTemperature, settings.topP, scratch)
  // The largest weight is exp(0) = 1 and survives top-k and top-p, so min-p's bar is minP itself.
  if (settings.minP > 0) for (let v = 0; v < vocab; v++) if (weights[v] < settings.minP) weights[v] = 0

  total = 0
  for (let v = 0; v < vocab; v++) total += weights[v]
  return { total, logPartition }
}

/**
 * Top-p: zero every weight outside the shortest prefix, by decreasing weight (ties by id), whose sum
 * reaches topP × the sum of the weights. Only the tokens that can be in that prefix are sorted: bucket
 * sums by distance below the maximum find the bucket where the prefix ends, and everything in lower
 * buckets is lighter than everything above, so it is dropped unsorted.
 */
function keepNucleus(logits: Float32Array, offset: number, vocab: number, max: number, inverseTemperature: number, topP: number, scratch: Scratch): void {
  const { weights, bucketSums, order } = scratch
  const bucketOf = (v: number) => Math.min(nucleusBuckets - 1, Math.floor((max - logits[offset + v]) * inverseTemperature * 2))
  bucketSums.fill(0)
  let total = 0
  for (let v = 0; v < vocab; v++) {
    const w = weights[v]
    if (w === 0) continue
    bucketSums[bucketOf(v)] += w
    total += w
  }
  const target = topP * total
  let last = nucleusBuckets - 1
  let cumulative = 0
  for (let i = 0; i < nucleusBuckets; i++) {
    cumulative += bucketSums[i]
    if (cumulative >= target) {
      last = i
      break
    }
  }
  let kept = 0
  for (let v = 0; v < vocab; v++) {
    if (weights[v] === 0) continue
    if (bucketOf(v) <= last) order[kept++] = v
    else weights[v] = 0
  }
  const candidates = order.subarray(0, kept).sort((a, b) => weights[b] - weights[a] || a - b)
  cumulative = 0
  let cut = kept
  for (let i = 0; i < kept; i++) {
    cumulative += weights[candidates[i]]
    if (cumulative >= target) {
      cut = i + 1
      break
    }
  }
  for (let i = cut; i < kept; i++) weights[candidates[i]] = 0
}

/** The k-th largest value (k ≥ 1) of `values`, which it reorders (quickselect, expected linear time). */
function kthLargest(values: Float32Array, k: number): number {
  const target = values.length - k // index of the answer in ascending order
  let low = 0
  let high = values.length - 1
  while (low < high) {
    // Median of three as the pivot keeps sorted or constant rows from going quadratic.
    const mid = (low + high) >> 1
    const a = values[low]
    const b = values[mid]
    const c = values[high]
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b
    let i = low
    let j = high
    while (i <= j) {
      while (values[i] < pivot) i++
      while (values[j] > pivot) j--
      if (i <= j) {
        const t = values[i]
        values[i] = values[j]
        values[j] = t
        i++
        j--
      }
    }
    if (target <= j) high = j
    else if (target >= i) low = i
    else return values[target]
  }
  return values[target]
}

function checkSettings(s: SamplingSettings, vocab: number): void {
  const fail = (message: string) => {
    throw new NashlabError('invalid_input', message, { field: 'sampling' })
  }
  if (!(Number.isFinite(s.temperature) && s.temperature >= 0)) fail(`The sampling temperature must be a number of at least 0, got ${s.temperature}.`)
  if (!(Number.isInteger(s.topK) && s.topK >= 0)) fail(`top-k must be a whole number of at least 0 (0 keeps every token), got ${s.topK}.`)
  if (!(s.topP > 0 && s.topP <= 1)) fail(`top-p must be above 0 and at most 1 (1 keeps every token), got ${s.topP}.`)
  if (!(s.minP >= 0 && s.minP <= 1)) fail(`min-p must be from 0 to 1 (0 keeps every token), got ${s.minP}.`)
  if (vocab < 1) fail('A vocabulary needs at least one token.')
}
