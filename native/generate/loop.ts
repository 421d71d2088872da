import { NashlabError } from '../api/errors'
import type { FinishReason } from '../api/generate'
import type { Rng } from '../runtime/rng'
import type { DecoderRows } from './decoder-session'
import { holdFinished } from './eos'
import { mixLogits } from './mixture'
import { sampleTokens, type SamplingSettings } from './sampling'
import { gatherLogProbs } from './softmax'

/** One model of a (possibly one-model) geometric mixture, with its own rows and KV cache. */
export interface LoopPart {
  rows: DecoderRows
  weight: number
}

export interface LoopOptions {
  settings: SamplingSettings
  maxTokens: number
  rng: Rng
  /** Ids that end a completion (the EOS is kept as its last token); empty: run to maxTokens. */
  stopIds: readonly number[]
  padId: number
  /** Sample only ids below this (a model's logits may have more entries than its tokenizer has ids). */
  vocabSize: number
  /** Called for every new token of every unfinished row. */
  onToken?(row: number, token: number, done: FinishReason | null): void
  /** Checked between steps. */
  check?(): void
  /** Also record each part's own log-probability of every sampled token (`partLogprobs`). */
  partLogprobs?: boolean
}

export interface LoopResult {
  /** (rows) generated ids, up to and including the stop token. */
  tokens: number[][]
  /** log q(token) under the mixture at temperature 1 with no truncation: log softmax(Σ w_i z_i). */
  logprobs: number[][]
  /** Per part: log softmax(z_i)(token), each model's own log-probability of the sampled tokens (empty unless asked for). */
  partLogprobs: number[][][]
  finish: FinishReason[]
}

/**
 * The sampling loop: prefill every part with the prompts, then each step mix the parts' logits
 * (z = Σ w_i z_i; one part of weight 1 is plain sampling), draw one token per row with the sampling
 * settings, and feed that token to every part, so each model's KV cache follows the same text. Rows
 * stop at a stop id or after maxTokens; a step runs while any row is open (finished rows are fed
 * padding, and their outputs ignored). All rows share one width, so the context ends them together.
 */
export async function runLoop(parts: readonly LoopPart[], prompts: readonly (readonly number[])[], options: LoopOptions): Promise<LoopResult> {
  if (parts.length === 0) throw new NashlabError('invalid_input', 'Sampling needs at least one model.')
  const rows = prompts.length
  const V = options.vocabSize
  const stop = options.stopIds
  const tokens: number[][] = prompts.map(() => [])
  const logprobs: number[][] = prompts.map(() => [])
  const partLogprobs: number[][][] = parts.map(() => prompts.map(() => []))
  const finish: (FinishReason | null)[] = prompts.map(() => null)
  const finished = new Uint8Array(rows)
  const context = Math.min(...parts.map((p) => p.rows.io.context ?? Infinity))
  const width = Math.max(1, ...prompts.map((p) => p.length))
  if (width >= context) throw new NashlabError('invalid_input', `The longest prompt has ${width} tokens, and the model's context is ${context}: no room for a completion.`, { width, context })

  let logits = await Promise.all(parts.map((p) => p.rows.start(prompts, options.maxTokens)))
  const single = parts.length === 1 && parts[0].weight === 1
  const buffer = single ? undefined : new Float32Array(rows * V)
  for (let step = 0; step < options.maxTokens; step++) {
    options.check?.()
    const views = logits.map((l, i) => narrow(l, rows, parts[i].rows.io.vocabSize, V))
    const mixed = single ? views[0] : mixLogits(views.map((l, i) => ({ logits: l, weight: parts[i].weight })), buffer)
    const sampled = sampleTokens(mixed, rows, V, options.settings, options.rng)
    const own = options.partLogprobs ? views.map((l) => gatherLogProbs(l, rows, V, sampled.tokens)) : []
    const before = finished.slice()
    const allDone = holdFinished(sampled, finished, stop, options.padId)
    const last = step === options.maxTokens - 1 || width + step + 1 >= context
    for (let r = 0; r < rows; r++) {
      if (before[r]) continue
      const token = sampled.tokens[r]
      tokens[r].push(token)
      logprobs[r].push(sampled.modelLogProbs[r])
      own.forEach((o, i) => partLogprobs[i][r].push(o[r]))
      if (finished[r]) finish[r] = 'eos'
      else if (last) finish[r] = width + step + 1 >= context && step < options.maxTokens - 1 ? 'context' : 'length'
      options.onToken?.(r, token, finish[r])
    }
    if (allDone || last) break
    const fed = Array.from(sampled.tokens)
    logits = await Promise.all(parts.map((p) => p.rows.step(fed)))
  }
  return { tokens, logprobs, partLogprobs, finish: finish.map((f) => f ?? 'length') }
}

/** The first `vocab` logits of each row of (rows, V ≥ vocab) logits. */
function narrow(logits: Float32Array, rows: number, V: number, vocab: number): Float32Array {
  if (V === vocab) return logits
  const out = new Float32Array(rows * vocab)
  for (let r = 0; r < rows; r++) out.set(logits.subarray(r * V, r * V + vocab), r * vocab)
  return out
}
