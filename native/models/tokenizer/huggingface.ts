import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers'
import { NashlabError } from '../../api/errors'
import { resolveSpecialIds, type SpecialSources } from './special'
import type { TokenizerConfigJson, TokenizerJson } from './tokenizer-json'
import type { DecodeOptions, EncodeOptions, Tokenizer } from './tokenizer'

/**
 * An imported model's tokenizer, read by @huggingface/tokenizers (any tokenizer.json it supports:
 * BPE, WordPiece, Unigram, with their normalizers, pre-tokenizers and post-processors).
 *
 * Decoding leaves spaces as they are unless tokenizer_config.json sets
 * `clean_up_tokenization_spaces: true` (the library would otherwise tidy " ." into "."; the current
 * transformers default is not to).
 */
export class HuggingFaceTokenizer implements Tokenizer {
  readonly vocabSize: number
  readonly eosId: number
  readonly bosId: number | undefined
  readonly padId: number
  readonly stopIds: readonly number[]
  private readonly inner: HfTokenizer

  constructor(tokenizerJson: TokenizerJson, sources: SpecialSources = {}) {
    const config: TokenizerConfigJson = { ...(sources.tokenizerConfig ?? {}) }
    config.clean_up_tokenization_spaces = config.clean_up_tokenization_spaces ?? false
    const file = sources.directory ? `${sources.directory}/tokenizer.json` : 'tokenizer.json'
    try {
      this.inner = new HfTokenizer({ added_tokens: [], normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, ...tokenizerJson }, config)
    } catch (error) {
      throw new NashlabError('bad_file', `${file} could not be read as a tokenizer: ${(error as Error).message}.`, { file })
    }
    // The library's id → entry table, added tokens included (it may be longer than get_vocab()).
    this.vocabSize = this.inner.model!.vocab.length
    const special = resolveSpecialIds((t) => this.inner.token_to_id(t), sources)
    this.eosId = special.eosId
    this.bosId = special.bosId
    this.padId = special.padId
    this.stopIds = special.stopIds
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.inner.encode(text, { add_special_tokens: options.addSpecialTokens ?? true }).ids
  }

  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    if (ids.length === 0) return '' // the library refuses an empty list
    const list = Array.from(ids)
    list.forEach((id, i) => {
      if (!(Number.isInteger(id) && id >= 0 && id < this.vocabSize)) {
        throw new NashlabError('invalid_input', `Token id ${id} at position ${i} is outside the vocabulary of ${this.vocabSize}.`)
      }
    })
    return this.inner.decode(list, { skip_special_tokens: options.skipSpecialTokens ?? false })
  }

  encodeBatch(texts: readonly string[], options?: EncodeOptions): number[][] {
    return texts.map((t) => this.encode(t, options))
  }

  decodeBatch(rows: readonly ArrayLike<number>[], options?: DecodeOptions): string[] {
    return rows.map((r) => this.decode(r, options))
  }

  tokenToId(token: string): number | undefined {
    return this.inner.token_to_id(token)
  }

  idToToken(id: number): string | undefined {
    return this.inner.id_to_token(id)
  }
}
