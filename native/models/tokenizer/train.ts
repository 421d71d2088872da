import { NashlabError } from '../../api/errors'
import { byteAlphabet, byteToChar } from './byte-level'
import { ByteLevelBpe, type AddedToken } from './bpe'
import { PairHeap } from './heap'
import { AddedTokenSplitter, splitWords } from './pre-tokenize'

/** The special token of Nashlab-trained tokenizers: end of text, and also beginning and padding (GPT-2's convention). */
export const endOfText = '<|endoftext|>'

export interface BpeTrainingOptions {
  /** Entries in the finished vocabulary: 256 bytes + merges + special tokens. From 256 + specials to 65536. */
  vocabSize: number
  /** Added special tokens, given the last ids in this order. Default [`<|endoftext|>`]. */
  specialTokens?: string[]
  /** The special token that ends a sequence. Default the first special token. */
  eosToken?: string
  /** The special token that begins a sequence. Default the EOS token (GPT-2's convention). */
  bosToken?: string
  /** The special token that fills padding. Default the EOS token. */
  padToken?: string
  /** A pair seen fewer times than this (counting repeats of a word) is never merged. Default 2. */
  minFrequency?: number
  /** Checked between merges; an aborted training throws `cancelled`. */
  signal?: AbortSignal
  /** Called after every `progressEvery` merges and once at the end. */
  onProgress?: (done: number, total: number) => void
  /** Default 64. */
  progressEvery?: number
}

export interface BpeTrainingResult {
  tokenizer: ByteLevelBpe
  /** UTF-8 bytes of training text read (special tokens in it excluded). */
  bytes: number
  /** Pre-tokenized words read, and how many were distinct. */
  words: number
  distinctWords: number
  /** Merges learned; fewer than asked for when the text ran out of pairs of `minFrequency`. */
  merges: number
}

/** Pair keys are left·65536 + right. */
const pairBase = 65536

/**
 * Train a byte-level BPE tokenizer on `texts` (one or more documents).
 *
 * Words are counted once (GPT-2 pre-tokenizer; special tokens cut out of the text); each distinct
 * word starts as its UTF-8 bytes. Each step merges the adjacent pair with the highest count over all
 * words (a word's count weighs its pairs); among equal counts the pair whose left id is smallest,
 * then whose right id is smallest, wins, so training is deterministic. Ids: the 256 bytes in
 * code-point order of their characters, then merged entries in order of creation, then the special
 * tokens. A merge that spells an entry already present reuses that id (as the Hugging Face trainer
 * does).
 *
 * Speed: pair counts are kept up to date incrementally. Each merge visits only the words that hold
 * the pair (an index from pair to words) and changes the counts of the pairs around each occurrence;
 * a max-heap of counts, refreshed lazily, finds the next pair.
 */
export function trainByteLevelBpe(texts: Iterable<string>, options: BpeTrainingOptions): BpeTrainingResult {
  const specials = options.specialTokens ?? [endOfText]
  const minFrequency = options.minFrequency ?? 2
  const progressEvery = options.progressEvery ?? 64
  checkOptions(options, specials, minFrequency)

  // Count words.
  const splitter = new AddedTokenSplitter(specials)
  const wordCounts = new Map<string, number>()
  let words = 0
  for (const text of texts) {
    for (const section of splitter.split(text)) {
      if ('added' in section) continue
      for (const word of splitWords(section.text)) {
        wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1)
        words++
      }
    }
  }

  // Words as symbol ids, stored end to end; each word shrinks in place as merges apply.
  const encoder = new TextEncoder()
  const byteIds = new Int32Array(256)
  byteToChar.forEach((c, b) => (byteIds[b] = byteAlphabet.indexOf(c)))
  const distinctWords = wordCounts.size
  const starts = new Int32Array(distinctWords)
  const lengths = new Int32Array(distinctWords)
  const counts = new Float64Array(distinctWords)
  const encoded: Uint8Array[] = []
  let totalSymbols = 0
  let bytes = 0
  let w = 0
  for (const [word, count] of wordCounts) {
    const b = encoder.encode(word)
    encoded.push(b)
    starts[w] = totalSymbols
    lengths[w] = b.length
    counts[w] = count
    totalSymbols += b.length
    bytes += b.length * count
    w++
  }
  wordCounts.clear()
  const symbols = new Int32Array(totalSymbols)
  encoded.forEach((b, i) => {
    for (let k = 0; k < b.length; k++) symbols[starts[i] + k] = byteIds[b[k]]
  })
  encoded.length = 0

  // Pair counts and, for each pair, the words holding it (a word may be listed again; visits are idempotent).
  const pairCounts = new Map<number, number>()
  const pairWords = new Map<number, number[]>()
  const listWord = (key: number, word: number) => {
    const list = pairWords.get(key)
    if (!list) pairWords.set(key, [word])
    else if (list[list.length - 1] !== word) list.push(word)
  }
  for (let i = 0; i < distinctWords; i++) {
    const start = starts[i]
    for (let k = start; k + 1 < start + lengths[i]; k++) {
      const key = symbols[k] * pairBase + symbols[k + 1]
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + counts[i])
      listWord(key, i)
    }
  }
  const heap = new PairHeap()
  for (const [key, count] of pairCounts) heap.push(-count, key)

  const vocab: string[] = [...byteAlphabet]
  const ids = new Map<string, number>(vocab.map((t, i) => [t, i]))
  const merges: [string, string][] = []
  const targetEntries = options.vocabSize - specials.length
  const totalMerges = targetEntries - 256
  const raised: number[] = []

  while (vocab.length < targetEntries) {
    if (options.signal?.aborted) throw new NashlabError('cancelled', 'Tokenizer training was cancelled.')
    // The best pair: the heap top once its stored count is current (stored counts only overstate).
    let best = -1
    while (heap.size > 0) {
      const stored = -heap.topPrimary
      const key = heap.topSecondary
      const actual = pairCounts.get(key) ?? 0
      if (stored === actual) {
        best = key
        break
      }
      heap.pop()
      if (actual > 0) heap.push(-actual, key)
    }
    if (best < 0 || pairCounts.get(best)! < minFrequency) break
    heap.pop()

    const a = Math.floor(best / pairBase)
    const b = best % pairBase
    const entry = vocab[a] + vocab[b]
    let c = ids.get(entry)
    if (c === undefined) {
      c = vocab.length
      vocab.push(entry)
      ids.set(entry, c)
    }
    merges.push([vocab[a], vocab[b]])

    const listed = pairWords.get(best) ?? []
    pairWords.delete(best)
    pairCounts.delete(best)
    raised.length = 0
    const change = (key: number, delta: number, word: number) => {
      if (key === best) return
      const updated = (pairCounts.get(key) ?? 0) + delta
      pairCounts.set(key, updated)
      if (delta > 0) {
        listWord(key, word)
        raised.push(key)
      }
    }
    for (const word of listed) {
      const start = starts[word]
      const end = start + lengths[word]
      const count = counts[word]
      let out = start
      for (let k = start; k < end; k++) {
        if (k + 1 < end && symbols[k] === a && symbols[k + 1] === b) {
          // Around the occurrence: (previous, a) becomes (previous, c), (b, next) becomes (c, next).
          // `previous` is the symbol already written, so back-to-back occurrences chain correctly.
          if (out > start) {
            const previous = symbols[out - 1]
            change(previous * pairBase + a, -count, word)
            change(previous * pairBase + c, count, word)
          }
          if (k + 2 < end) {
            const following = symbols[k + 2]
            change(b * pairBase + following, -count, word)
            change(c * pairBase + following, count, word)
          }
          symbols[out++] = c
          k++
        } else {
          symbols[out++] = symbols[k]
        }
      }
      lengths[word] = out - start
    }
    for (const key of raised) {
      const count = pairCounts.get(key)!
      if (count > 0) heap.push(-count, key)
    }
    if (options.onProgress && merges.length % progressEvery === 0) options.onProgress(vocab.length - 256, totalMerges)
  }
  options.onProgress?.(vocab.length - 256, totalMerges)

  const addedTokens: AddedToken[] = specials.map((content, i) => ({ id: vocab.length + i, content, special: true }))
  for (const token of addedTokens) {
    if (ids.has(token.content)) throw new NashlabError('invalid_input', `Special token ${JSON.stringify(token.content)} is also an ordinary vocabulary entry; choose a token with characters outside the byte alphabet.`)
  }
  const idOf = (content: string) => addedTokens.find((t) => t.content === content)!.id
  const eosId = idOf(options.eosToken ?? specials[0])
  const tokenizer = new ByteLevelBpe({
    vocab: [...vocab, ...specials],
    merges,
    addedTokens,
    special: {
      eosId,
      bosId: idOf(options.bosToken ?? options.eosToken ?? specials[0]),
      padId: idOf(options.padToken ?? options.eosToken ?? specials[0]),
      stopIds: [eosId],
    },
  })
  return { tokenizer, bytes, words, distinctWords, merges: merges.length }
}

function checkOptions(options: BpeTrainingOptions, specials: string[], minFrequency: number): void {
  const fail = (message: string) => {
    throw new NashlabError('invalid_input', message, { field: 'tokenizer' })
  }
  if (specials.length === 0) fail('A tokenizer needs at least one special token to end sequences with.')
  if (new Set(specials).size !== specials.length) fail(`The special tokens ${JSON.stringify(specials)} repeat one another.`)
  if (specials.some((s) => s.length === 0)) fail('A special token cannot be empty.')
  const low = 256 + specials.length
  if (!Number.isInteger(options.vocabSize) || options.vocabSize < low || options.vocabSize > pairBase) {
    fail(`The vocabulary size must be a whole number from ${low} (256 bytes and ${specials.length} special tokens) to ${pairBase}, got ${options.vocabSize}.`)
  }
  if (!Number.isInteger(minFrequency) || minFrequency < 1) fail(`The minimum pair frequency must be a whole number of at least 1, got ${minFrequency}.`)
  for (const [field, token] of [['EOS', options.eosToken], ['BOS', options.bosToken], ['padding', options.padToken]] as const) {
    if (token !== undefined && !specials.includes(token)) fail(`The ${field} token ${JSON.stringify(token)} is not one of the special tokens ${JSON.stringify(specials)}.`)
  }
}
