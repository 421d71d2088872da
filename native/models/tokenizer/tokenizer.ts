/**
 * The one tokenizer interface the engine uses, whatever made the tokenizer: Nashlab's own byte-level
 * BPE (trained here, or any plain GPT-2-style tokenizer.json) or an imported model's tokenizer.json
 * read by @huggingface/tokenizers.
 */
export interface Tokenizer {
  /** Ids run over [0, vocabSize): the embedding of a model using this tokenizer needs at least that many rows. */
  readonly vocabSize: number
  /** The end-of-sequence id: a completion is over once it is sampled. */
  readonly eosId: number
  /** The beginning-of-sequence id, where the tokenizer names one. */
  readonly bosId: number | undefined
  /** The id that fills padded positions (the tokenizer's pad token, else EOS); padded positions are masked. */
  readonly padId: number
  /** Every id that ends a completion: EOS first, then any others the model's generation config names. */
  readonly stopIds: readonly number[]
  /** Text to ids. */
  encode(text: string, options?: EncodeOptions): number[]
  /** Ids to text; bytes that do not form whole UTF-8 characters come out as U+FFFD. */
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string
  /** `encode` of each text. */
  encodeBatch(texts: readonly string[], options?: EncodeOptions): number[][]
  /** `decode` of each row. */
  decodeBatch(rows: readonly ArrayLike<number>[], options?: DecodeOptions): string[]
  /** The id of a vocabulary entry (as the vocabulary writes it, e.g. 'Ġthe'), or undefined. */
  tokenToId(token: string): number | undefined
  /** The vocabulary entry of an id, or undefined. */
  idToToken(id: number): string | undefined
}

export interface EncodeOptions {
  /**
   * Add the tokens the tokenizer's post-processor adds around a text (a Llama BOS, for instance).
   * Default true, as in Hugging Face tokenizers. Nashlab-trained tokenizers add none.
   */
  addSpecialTokens?: boolean
}

export interface DecodeOptions {
  /** Leave out special tokens (EOS, padding). Default false. */
  skipSpecialTokens?: boolean
}

/** The special tokens' roles, as ids. */
export interface SpecialIds {
  eosId: number
  bosId: number | undefined
  padId: number
  stopIds: number[]
}
