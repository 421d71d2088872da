import { NashlabError } from '../../api/errors'
import { ByteLevelBpe, type AddedToken } from './bpe'
import type { SpecialIds } from './tokenizer'

/**
 * Hugging Face's tokenizer.json, as far as Nashlab reads and writes it. The file Nashlab writes is the
 * one GPT-2's tokenizer.json is: no normalizer, ByteLevel pre-tokenizer (GPT-2 pattern, no prefix
 * space), BPE model with vocab and merges, ByteLevel post-processor and decoder, added tokens —
 * loadable by the Rust `tokenizers` library, transformers' PreTrainedTokenizerFast and
 * @huggingface/tokenizers alike.
 */
export interface TokenizerJson {
  version?: string
  added_tokens?: AddedTokenJson[]
  normalizer?: unknown
  pre_tokenizer?: unknown
  post_processor?: unknown
  decoder?: unknown
  model: { type?: string; vocab?: unknown; merges?: unknown; [key: string]: unknown }
  [key: string]: unknown
}

export interface AddedTokenJson {
  id: number
  content: string
  single_word?: boolean
  lstrip?: boolean
  rstrip?: boolean
  normalized?: boolean
  special?: boolean
}

/** tokenizer_config.json: the special tokens' roles and decoding flags (transformers' file). */
export interface TokenizerConfigJson {
  eos_token?: TokenName
  bos_token?: TokenName
  pad_token?: TokenName
  unk_token?: TokenName
  chat_template?: string | { name: string; template: string }[]
  clean_up_tokenization_spaces?: boolean
  [key: string]: unknown
}

/** A token as tokenizer_config.json names it: the content, or an AddedToken object holding it. */
export type TokenName = string | { content: string } | null

/** The tokenizer.json and tokenizer_config.json of a Nashlab byte-level BPE tokenizer. */
export function toTokenizerFiles(tokenizer: ByteLevelBpe): { tokenizerJson: TokenizerJson; tokenizerConfig: TokenizerConfigJson } {
  const { vocab, merges, addedTokens, special } = tokenizer.spec
  // A prototype-free object, so an entry spelled like an Object property ("__proto__") stays an entry.
  const vocabObject: Record<string, number> = Object.create(null)
  vocab.forEach((entry, id) => (vocabObject[entry] = id))
  const added = addedTokens.map(
    (t): AddedTokenJson => ({ id: t.id, content: t.content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: t.special }),
  )
  const tokenizerJson: TokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: vocabObject,
      // "left right": byte-level entries never hold a space, and every tokenizers version reads this form.
      merges: merges.map(([left, right]) => `${left} ${right}`),
    },
  }
  const name = (id: number | undefined) => (id === undefined ? null : vocab[id])
  const tokenizerConfig: TokenizerConfigJson = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: name(special.bosId),
    eos_token: name(special.eosId),
    pad_token: name(special.padId),
    unk_token: null,
    clean_up_tokenization_spaces: false,
    added_tokens_decoder: Object.fromEntries(added.map(({ id, ...rest }) => [String(id), rest])),
  }
  return { tokenizerJson, tokenizerConfig }
}

/**
 * Why Nashlab's own byte-level BPE cannot stand in for @huggingface/tokenizers on this file, or
 * undefined when it can: a BPE model over all 256 byte characters with plain merges, no normalizer,
 * the ByteLevel pre-tokenizer with GPT-2's pattern and no prefix space, a ByteLevel decoder, no
 * post-processor that adds tokens, and added tokens with no stripping rules.
 */
export function plainByteLevelBpeMismatch(json: TokenizerJson): string | undefined {
  const model = json.model ?? {}
  const pre = json.pre_tokenizer as { type?: string; add_prefix_space?: boolean; use_regex?: boolean } | null | undefined
  const post = json.post_processor as { type?: string } | null | undefined
  const decoder = json.decoder as { type?: string } | null | undefined
  if (model.type !== 'BPE') return `its model is ${String(model.type)}, not BPE`
  if (model.dropout) return 'its BPE model uses dropout'
  if (model.byte_fallback) return 'its BPE model uses byte fallback'
  if (model.ignore_merges) return 'its BPE model ignores merges for whole-word entries'
  if (model.continuing_subword_prefix || model.end_of_word_suffix) return 'its BPE model marks word pieces with affixes'
  if (json.normalizer != null) return 'it has a normalizer'
  if (pre?.type !== 'ByteLevel' || pre.add_prefix_space || pre.use_regex === false) return 'its pre-tokenizer is not ByteLevel with the GPT-2 pattern and no prefix space'
  if (post != null && post.type !== 'ByteLevel') return `its post-processor (${String(post.type)}) adds tokens`
  if (decoder?.type !== 'ByteLevel') return 'its decoder is not ByteLevel'
  if ((json.added_tokens ?? []).some((t) => t.lstrip || t.rstrip || t.single_word)) return 'an added token has stripping or single-word rules'
  return undefined
}

/** Nashlab's byte-level BPE from a tokenizer.json that `plainByteLevelBpeMismatch` accepts. */
export function byteLevelBpeFromJson(json: TokenizerJson, special: SpecialIds, file = 'tokenizer.json'): ByteLevelBpe {
  const mismatch = plainByteLevelBpeMismatch(json)
  if (mismatch) throw new NashlabError('bad_file', `${file} is not a plain byte-level BPE tokenizer: ${mismatch}.`, { file })
  const vocab = readVocab(json.model.vocab, file)
  const merges = readMerges(json.model.merges, file)
  const addedTokens: AddedToken[] = (json.added_tokens ?? []).map((t) => ({ id: t.id, content: t.content, special: t.special ?? false }))
  // Added tokens missing from model.vocab take their ids after it (GPT-2's file lists them in both).
  for (const token of [...addedTokens].sort((x, y) => x.id - y.id)) {
    if (token.id === vocab.length) vocab.push(token.content)
    else if (vocab[token.id] === undefined) throw new NashlabError('bad_file', `${file}: added token ${JSON.stringify(token.content)} has id ${token.id}, leaving a gap after the vocabulary of ${vocab.length}.`, { file })
  }
  try {
    return new ByteLevelBpe({ vocab, merges, addedTokens, special })
  } catch (error) {
    if (error instanceof NashlabError) throw new NashlabError('bad_file', `${file}: ${error.message}`, { file })
    throw error
  }
}

/** The vocabulary as an id-indexed array; ids must run 0, 1, … with no gap. */
function readVocab(raw: unknown, file: string): string[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new NashlabError('bad_file', `${file} has no model.vocab object.`, { file, field: 'model.vocab' })
  const vocab: string[] = []
  for (const [entry, id] of Object.entries(raw as Record<string, unknown>)) {
    if (!Number.isInteger(id) || (id as number) < 0) throw new NashlabError('bad_file', `${file}: model.vocab gives ${JSON.stringify(entry)} the id ${JSON.stringify(id)}, not a whole number.`, { file, field: 'model.vocab' })
    vocab[id as number] = entry
  }
  for (let id = 0; id < vocab.length; id++) {
    if (vocab[id] === undefined) throw new NashlabError('bad_file', `${file}: model.vocab has no entry with id ${id}.`, { file, field: 'model.vocab' })
  }
  return vocab
}

/** Merges in either form tokenizer.json uses: "left right" strings or [left, right] pairs. */
function readMerges(raw: unknown, file: string): [string, string][] {
  if (!Array.isArray(raw)) throw new NashlabError('bad_file', `${file} has no model.merges list.`, { file, field: 'model.merges' })
  return raw.map((merge, rank): [string, string] => {
    if (Array.isArray(merge) && merge.length === 2 && merge.every((p) => typeof p === 'string')) return [merge[0], merge[1]]
    if (typeof merge === 'string') {
      const space = merge.indexOf(' ')
      if (space > 0 && space < merge.length - 1) return [merge.slice(0, space), merge.slice(space + 1)]
    }
    throw new NashlabError('bad_file', `${file}: merge ${rank} (${JSON.stringify(merge)}) is neither "left right" nor a pair of strings.`, { file, field: 'model.merges' })
  })
}
