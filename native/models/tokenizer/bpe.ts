import { NashlabError } from '../../api/errors'
import { byteToChar, fromByteLevel } from './byte-level'
import { PairHeap } from './heap'
import { AddedTokenSplitter, splitWords } from './pre-tokenize'
import type { DecodeOptions, EncodeOptions, SpecialIds, Tokenizer } from './tokenizer'

/** A token cut out of the text before BPE and kept whole (`<|endoftext|>`). */
export interface AddedToken {
  id: number
  content: string
  /** Special tokens play a role (EOS, padding) and are left out by `skipSpecialTokens`. */
  special: boolean
}

/** Everything a byte-level BPE tokenizer is; what tokenizer.json stores. */
export interface ByteLevelBpeSpec {
  /** `vocab[id]`: the entry of each id, in byte-level characters; added tokens hold their content. */
  vocab: readonly string[]
  /** Merges in rank order (rank 0 is applied first): the two entries whose concatenation is an entry. */
  merges: readonly (readonly [string, string])[]
  addedTokens: readonly AddedToken[]
  special: SpecialIds
}

/** Words up to this many UTF-16 units are cached after their first encoding. */
const cachedWordLength = 256
/** The word cache is emptied when it reaches this many words. */
const cacheCapacity = 100_000
/** Pair keys are left·2^21 + right, so ids must stay below 2^21. */
const pairBase = 2 ** 21

/**
 * Nashlab's byte-level BPE tokenizer: GPT-2's pre-tokenizer, bytes shown as characters, merges
 * applied the Hugging Face way (repeatedly the lowest-ranked adjacent pair, leftmost first), added
 * tokens cut out first, decoding bytes back to UTF-8. It gives the same ids as @huggingface/tokenizers
 * on the tokenizer.json it reads and writes (see tokenizer-json.ts); it is the tokenizer of models
 * trained from scratch here, built without any dependency.
 */
export class ByteLevelBpe implements Tokenizer {
  readonly spec: ByteLevelBpeSpec
  readonly vocabSize: number
  readonly eosId: number
  readonly bosId: number | undefined
  readonly padId: number
  readonly stopIds: readonly number[]

  private readonly ids = new Map<string, number>()
  /** Token id of each byte value. */
  private readonly byteIds = new Int32Array(256)
  /** Pair key → merge rank. */
  private readonly ranks = new Map<number, number>()
  /** Merge rank → id of the merged entry. */
  private readonly mergedIds: Int32Array
  /** `tokenBytes[id]`: the bytes an ordinary entry stands for (empty for added tokens). */
  private readonly tokenBytes: Uint8Array[]
  private readonly added = new Map<number, AddedToken>()
  private readonly addedIds = new Map<string, number>()
  private readonly splitter: AddedTokenSplitter
  private readonly cache = new Map<string, Int32Array>()
  private readonly encoder = new TextEncoder()
  private readonly decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })
  private readonly heap = new PairHeap()

  constructor(spec: ByteLevelBpeSpec) {
    this.spec = spec
    this.vocabSize = spec.vocab.length
    if (this.vocabSize > pairBase) throw invalid(`A byte-level BPE vocabulary holds at most ${pairBase} entries, not ${this.vocabSize}.`)
    spec.vocab.forEach((entry, id) => {
      if (this.ids.has(entry)) throw invalid(`The vocabulary lists ${JSON.stringify(entry)} twice (ids ${this.ids.get(entry)} and ${id}).`)
      this.ids.set(entry, id)
    })
    for (const token of spec.addedTokens) {
      if (spec.vocab[token.id] !== token.content) {
        throw invalid(`Added token ${JSON.stringify(token.content)} has id ${token.id}, but the vocabulary gives that id to ${JSON.stringify(spec.vocab[token.id])}.`)
      }
      this.added.set(token.id, token)
      this.addedIds.set(token.content, token.id)
    }
    this.tokenBytes = spec.vocab.map((entry, id) => {
      if (this.added.has(id)) return new Uint8Array(0)
      const bytes = fromByteLevel(entry)
      if (!bytes) throw invalid(`Vocabulary entry ${id} (${JSON.stringify(entry)}) holds a character that is not a byte-level byte.`)
      return bytes
    })
    for (let b = 0; b < 256; b++) {
      const id = this.ids.get(byteToChar[b])
      if (id === undefined) throw invalid(`The vocabulary has no entry for byte ${b} (${JSON.stringify(byteToChar[b])}), so some texts could not be encoded.`)
      this.byteIds[b] = id
    }
    this.mergedIds = new Int32Array(spec.merges.length)
    spec.merges.forEach(([left, right], rank) => {
      const a = this.ids.get(left)
      const b = this.ids.get(right)
      const merged = this.ids.get(left + right)
      if (a === undefined || b === undefined || merged === undefined) {
        throw invalid(`Merge ${rank} (${JSON.stringify(left)} ${JSON.stringify(right)}) names an entry missing from the vocabulary.`)
      }
      // A repeated pair takes its last rank, as @huggingface/tokenizers reads merges.
      this.ranks.set(a * pairBase + b, rank)
      this.mergedIds[rank] = merged
    })
    this.splitter = new AddedTokenSplitter(spec.addedTokens.map((t) => t.content))
    for (const id of [spec.special.eosId, spec.special.padId, spec.special.bosId, ...spec.special.stopIds]) {
      if (id !== undefined && !(Number.isInteger(id) && id >= 0 && id < this.vocabSize)) throw invalid(`Special token id ${id} is outside the vocabulary of ${this.vocabSize}.`)
    }
    this.eosId = spec.special.eosId
    this.bosId = spec.special.bosId
    this.padId = spec.special.padId
    this.stopIds = spec.special.stopIds
  }

  /** Text to ids. Nashlab's byte-level BPE has no post-processor, so `addSpecialTokens` adds nothing. */
  encode(text: string, _options?: EncodeOptions): number[] {
    const out: number[] = []
    for (const section of this.splitter.split(text)) {
      if ('added' in section) out.push(this.addedIds.get(section.added)!)
      else for (const word of splitWords(section.text)) for (const id of this.encodeWord(word)) out.push(id)
    }
    return out
  }

  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    let text = ''
    let pending: Uint8Array[] = []
    const flush = () => {
      if (pending.length === 0) return
      text += this.decoder.decode(concat(pending))
      pending = []
    }
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]
      if (!(Number.isInteger(id) && id >= 0 && id < this.vocabSize)) {
        throw invalid(`Token id ${id} at position ${i} is outside the vocabulary of ${this.vocabSize}.`)
      }
      const added = this.added.get(id)
      if (added) {
        flush()
        if (!(options.skipSpecialTokens && added.special)) text += added.content
      } else {
        pending.push(this.tokenBytes[id])
      }
    }
    flush()
    return text
  }

  encodeBatch(texts: readonly string[], options?: EncodeOptions): number[][] {
    return texts.map((t) => this.encode(t, options))
  }

  decodeBatch(rows: readonly ArrayLike<number>[], options?: DecodeOptions): string[] {
    return rows.map((r) => this.decode(r, options))
  }

  tokenToId(token: string): number | undefined {
    return this.ids.get(token)
  }

  idToToken(id: number): string | undefined {
    return this.spec.vocab[id]
  }

  /** The ids of one pre-tokenized word. */
  private encodeWord(word: string): Int32Array {
    const cached = this.cache.get(word)
    if (cached) return cached
    const bytes = this.encoder.encode(word)
    const symbols = new Int32Array(bytes.length)
    for (let i = 0; i < bytes.length; i++) symbols[i] = this.byteIds[bytes[i]]
    const ids = this.merge(symbols)
    if (word.length <= cachedWordLength) {
      if (this.cache.size >= cacheCapacity) this.cache.clear()
      this.cache.set(word, ids)
    }
    return ids
  }

  /**
   * Apply merges to one word: repeatedly merge the adjacent pair of lowest rank, leftmost first
   * (a heap of (rank, position) over a linked list of symbols; stale entries are skipped).
   */
  private merge(symbols: Int32Array): Int32Array {
    const n = symbols.length
    if (n < 2) return symbols
    const next = new Int32Array(n)
    const prev = new Int32Array(n)
    const alive = new Uint8Array(n).fill(1)
    const heap = this.heap
    heap.clear()
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1
      prev[i] = i - 1
    }
    const rankAt = (i: number): number => {
      const j = next[i]
      if (j < 0) return -1
      return this.ranks.get(symbols[i] * pairBase + symbols[j]) ?? -1
    }
    const offer = (i: number) => {
      const rank = rankAt(i)
      if (rank >= 0) heap.push(rank, i)
    }
    for (let i = 0; i + 1 < n; i++) offer(i)
    let remaining = n
    while (heap.size > 0) {
      const rank = heap.topPrimary
      const i = heap.topSecondary
      heap.pop()
      if (!alive[i] || rankAt(i) !== rank) continue // the pair at i has changed since it was offered
      const j = next[i]
      symbols[i] = this.mergedIds[rank]
      alive[j] = 0
      next[i] = next[j]
      if (next[j] >= 0) prev[next[j]] = i
      remaining--
      if (prev[i] >= 0) offer(prev[i])
      offer(i)
    }
    const out = new Int32Array(remaining)
    for (let i = 0, k = 0; i >= 0; i = next[i]) out[k++] = symbols[i]
    return out
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]
  let length = 0
  for (const c of chunks) length += c.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.length
  }
  return out
}

function invalid(message: string): NashlabError {
  return new NashlabError('invalid_input', message)
}
