import { NashlabError } from '../api/errors'
import type { Completion, FinishReason } from '../api/generate'
import { encodeCompletion, encodePrompt, type PromptTemplate } from '../models/tokenizer/template'
import type { Tokenizer } from '../models/tokenizer/tokenizer'
import { Rng } from '../runtime/rng'
import { runLoop } from './loop'
import { mixtureParts } from './mixture-parts'
import type { DecoderRunner } from './runner'
import type { SamplingSettings } from './sampling'
import { TextStream } from './text-stream'

/** How to sample. The defaults draw from the model's own distribution (temperature 1, no truncation). */
export interface SampleOptions {
  /** Samples per prompt; rows are ordered prompt-major (row = prompt · n + sample). Default 1. */
  n?: number
  settings?: Partial<SamplingSettings>
  /** Tokens per completion at most. Default 64. */
  maxTokens?: number
  /** A seed (same seed, same settings, same model: the same completions) or a generator to draw from (its state moves on). */
  seed?: number | Rng
  /** Stop at the tokenizer's stop ids (the EOS is kept as the last token). Default true. */
  stopAtEos?: boolean
  /** Rows per batch (prompts · n are sampled in chunks of this many). Default 32. */
  batch?: number
  /** Each new token of each row, with the text it adds. */
  onToken?(event: { row: number; token: number; text: string; done: boolean; finishReason?: FinishReason }): void
  /** Called between steps (throw to stop: a job's `ctx.check`). */
  check?(): void
}

/** A model's per-token log-probabilities of one completion. */
export interface ScoredCompletion {
  /** The completion's token ids. */
  tokens: number[]
  /** log π(token_j | prompt, tokens_<j), nats. */
  logprobs: Float32Array
  /** Σ of `logprobs`: log π(completion | prompt). */
  total: number
}

const defaults: SamplingSettings = { temperature: 1, topK: 0, topP: 1, minP: 0 }

/**
 * A decoder with its tokenizer and prompt template: the policy API that training, comparison and
 * tournaments build on.
 *
 *   const completions = await policy.sample(['Where should we eat?'], { n: 4, seed: 1 })
 *   const scored = await policy.logProbs(['Where should we eat?'], [completions[0].tokens])
 *
 * Prompts are plain prompt texts; the model's template turns them into what the model continues.
 */
export class Policy {
  constructor(
    readonly runner: DecoderRunner,
    readonly tokenizer: Tokenizer,
    readonly template: PromptTemplate,
    readonly name = 'policy',
  ) {}

  /** A prompt's ids under the model's template. */
  encodePrompt(prompt: string): number[] {
    return encodePrompt(this.tokenizer, this.template, prompt)
  }

  /** Sample `n` completions of each prompt (batched, with a KV cache). */
  async sample(prompts: readonly string[], options: SampleOptions = {}): Promise<Completion[]> {
    return sampleMixture([{ policy: this, weight: 1 }], prompts, options)
  }

  /**
   * Per-token log-probabilities of given completions (texts, encoded without EOS, or token ids as
   * sampled — EOS included when it was sampled), batched. `completions[i]` continues `prompts[i]`.
   */
  async logProbs(prompts: readonly string[], completions: readonly (string | readonly number[])[], options: { batch?: number } = {}): Promise<ScoredCompletion[]> {
    if (prompts.length !== completions.length) {
      throw new NashlabError('invalid_input', `${prompts.length} prompts but ${completions.length} completions; give one completion per prompt.`)
    }
    const context = this.runner.io.context ?? Infinity
    const rows = prompts.map((prompt, i) => {
      const promptIds = this.encodePrompt(prompt)
      const c = completions[i]
      const tokens = typeof c === 'string' ? encodeCompletion(this.tokenizer, c, false) : [...c]
      if (promptIds.length + tokens.length > context) {
        throw new NashlabError('invalid_input', `Prompt ${i} and its completion have ${promptIds.length + tokens.length} tokens; the model's context is ${context}.`, { row: i })
      }
      if (promptIds.length === 0) throw new NashlabError('invalid_input', `Prompt ${i} has no tokens.`, { row: i })
      return { promptIds, tokens }
    })
    const batch = options.batch ?? 16
    const out: ScoredCompletion[] = []
    for (let start = 0; start < rows.length; start += batch) {
      const chunk = rows.slice(start, start + batch)
      const scored = await this.runner.score(chunk.map((r) => [...r.promptIds, ...r.tokens]))
      chunk.forEach((r, i) => {
        // Position t scores token t + 1: the completion's tokens start at position |prompt| − 1.
        const logprobs = scored[i].slice(r.promptIds.length - 1, r.promptIds.length - 1 + r.tokens.length)
        out.push({ tokens: r.tokens, logprobs, total: logprobs.reduce((a, b) => a + b, 0) })
      })
    }
    return out
  }

  release(): Promise<void> {
    return this.runner.release()
  }
}

/**
 * Sampling from the geometric mixture of several policies: next-token logits z = Σ w_i z_i, each
 * policy with its own KV cache, every one fed the sampled token (Nash-MD-PG's opponent is
 * (1 − β)·π + β·μ). The policies must share a tokenizer (the first one's template and tokenizer are used).
 */
export class MixtureSampler {
  constructor(readonly parts: readonly { policy: Policy; weight: number }[]) {
    if (parts.length === 0) throw new NashlabError('invalid_input', 'A mixture needs at least one policy.')
    const first = parts[0].policy.tokenizer
    for (const [i, p] of parts.entries()) {
      if (p.policy.tokenizer.vocabSize !== first.vocabSize || p.policy.tokenizer.eosId !== first.eosId) {
        throw new NashlabError('invalid_input', `Policy ${i} of the mixture (${p.policy.name}) has another tokenizer than ${parts[0].policy.name}; a token-level mixture needs one vocabulary.`)
      }
    }
  }

  sample(prompts: readonly string[], options: SampleOptions = {}): Promise<Completion[]> {
    return sampleMixture(this.parts, prompts, options)
  }
}

async function sampleMixture(parts: readonly { policy: Policy; weight: number }[], prompts: readonly string[], options: SampleOptions): Promise<Completion[]> {
  const lead = parts[0].policy
  const n = options.n ?? 1
  const settings = { ...defaults, ...options.settings }
  const maxTokens = options.maxTokens ?? 64
  const rng = options.seed instanceof Rng ? options.seed : Rng.fromSeed(options.seed ?? 0)
  const tokenizer = lead.tokenizer
  const stopIds = options.stopAtEos === false ? [] : [...tokenizer.stopIds]
  const encoded = prompts.map((p) => lead.encodePrompt(p))
  const all = encoded.flatMap((ids, prompt) => Array.from({ length: n }, (_, sample) => ({ ids, prompt, sample })))
  const batch = options.batch ?? 32
  const completions: Completion[] = []
  for (let start = 0; start < all.length; start += batch) {
    const chunk = all.slice(start, start + batch)
    const streams = chunk.map(() => new TextStream(tokenizer))
    const loopParts = await mixtureParts(parts.map((p) => ({ runner: p.policy.runner, weight: p.weight })))
    const result = await runLoop(
      loopParts,
      chunk.map((c) => c.ids),
      {
        settings,
        maxTokens,
        rng,
        stopIds,
        padId: tokenizer.padId,
        vocabSize: tokenizer.vocabSize,
        check: options.check,
        onToken: options.onToken
          ? (row, token, done) =>
              options.onToken!({ row: start + row, token, text: streams[row].push(token, done !== null), done: done !== null, ...(done ? { finishReason: done } : {}) })
          : undefined,
      },
    )
    chunk.forEach((c, r) => {
      completions.push({
        prompt: c.prompt,
        sample: c.sample,
        text: tokenizer.decode(result.tokens[r], { skipSpecialTokens: true }),
        tokens: result.tokens[r],
        logprobs: result.logprobs[r],
        finishReason: result.finish[r],
      })
    })
  }
  return completions
}
