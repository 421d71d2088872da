import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { byteAlphabet } from './byte-level'
import { AddedTokenSplitter, splitWords } from './pre-tokenize'
import { endOfText, trainByteLevelBpe } from './train'
import { variedTexts } from './varied-texts'
import { Rng } from '../../runtime/rng'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const demoText = fs.readFileSync(path.join(root, 'resources/demo/restaurants.jsonl'), 'utf8')

/**
 * The textbook trainer, recounting every pair over every word before each merge: the oracle the
 * incremental trainer must match merge for merge (same tie rule: highest count, then smallest ids).
 */
function referenceTraining(texts: string[], vocabSize: number, specials: string[], minFrequency: number) {
  const counts = new Map<string, number>()
  const splitter = new AddedTokenSplitter(specials)
  for (const text of texts) {
    for (const section of splitter.split(text)) {
      if ('text' in section) for (const word of splitWords(section.text)) counts.set(word, (counts.get(word) ?? 0) + 1)
    }
  }
  const vocab = [...byteAlphabet]
  const ids = new Map(vocab.map((t, i) => [t, i]))
  const toIds = (word: string) => Array.from(new TextEncoder().encode(word), (b) => ids.get(asChar(b))!)
  const words = [...counts].map(([word, count]) => ({ symbols: toIds(word), count }))
  const merges: [string, string][] = []
  while (vocab.length < vocabSize - specials.length) {
    const pairs = new Map<string, number>()
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = `${symbols[i]},${symbols[i + 1]}`
        pairs.set(key, (pairs.get(key) ?? 0) + count)
      }
    }
    let best: [number, number] | undefined
    let bestCount = 0
    for (const [key, count] of pairs) {
      const [a, b] = key.split(',').map(Number)
      if (count > bestCount || (count === bestCount && best && (a < best[0] || (a === best[0] && b < best[1])))) {
        best = [a, b]
        bestCount = count
      }
    }
    if (!best || bestCount < minFrequency) break
    const [a, b] = best
    const entry = vocab[a] + vocab[b]
    let c = ids.get(entry)
    if (c === undefined) {
      c = vocab.length
      vocab.push(entry)
      ids.set(entry, c)
    }
    merges.push([vocab[a], vocab[b]])
    for (const word of words) {
      const out: number[] = []
      for (let i = 0; i < word.symbols.length; i++) {
        if (i + 1 < word.symbols.length && word.symbols[i] === a && word.symbols[i + 1] === b) {
          out.push(c)
          i++
        } else out.push(word.symbols[i])
      }
      word.symbols = out
    }
  }
  return { vocab: [...vocab, ...specials], merges }
}

function asChar(byte: number): string {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff)
  let shifted = 0
  for (let b = 0; b < byte; b++) if (!printable(b)) shifted++
  return String.fromCharCode(printable(byte) ? byte : 256 + shifted)
}

describe('byte-level BPE training', () => {
  it('merges the most frequent pair first and breaks ties by the smallest ids', () => {
    // "ab" ×3 beats everything; then (c,d), (x,y), (Ġ,ab), (Ġ,c) … all count 2, and the smallest
    // left id goes first: 'c' (66) < 'x' (87) < 'Ġ' (220).
    const { tokenizer } = trainByteLevelBpe(['ab ab ab cd cd xy xy'], { vocabSize: 256 + 4 + 1 })
    const { merges, vocab } = tokenizer.spec
    expect(merges).toEqual([['a', 'b'], ['c', 'd'], ['x', 'y'], ['Ġ', 'ab']])
    expect(vocab.slice(256)).toEqual(['ab', 'cd', 'xy', 'Ġab', endOfText])
  })

  it('learns exactly the merges of a full recount per merge, on the demo data', () => {
    for (const [vocabSize, minFrequency] of [[700, 2], [400, 1]]) {
      const { tokenizer } = trainByteLevelBpe([demoText], { vocabSize, minFrequency })
      const reference = referenceTraining([demoText], vocabSize, [endOfText], minFrequency)
      expect(tokenizer.spec.merges).toEqual(reference.merges)
      expect(tokenizer.spec.vocab).toEqual(reference.vocab)
    }
  })

  it('matches the recount on runs of one letter and repeated pairs (back-to-back occurrences)', () => {
    const texts = ['aaaaaaa aaaa aaa ababab abab aabbaabb', 'bbbb<|endoftext|>aaaa']
    const { tokenizer } = trainByteLevelBpe(texts, { vocabSize: 280, minFrequency: 1 })
    const reference = referenceTraining(texts, 280, [endOfText], 1)
    expect(tokenizer.spec.merges).toEqual(reference.merges)
    expect(tokenizer.spec.vocab).toEqual(reference.vocab)
  })

  it('matches the recount on random words over three letters and on varied unicode text', () => {
    const rng = Rng.fromSeed(11)
    const words = Array.from({ length: 3000 }, () => Array.from({ length: 1 + rng.below(8) }, () => 'abc'[rng.below(3)]).join(''))
    const texts = [words.join(' '), ...variedTexts]
    const { tokenizer } = trainByteLevelBpe(texts, { vocabSize: 420, minFrequency: 1 })
    const reference = referenceTraining(texts, 420, [endOfText], 1)
    expect(tokenizer.spec.merges).toEqual(reference.merges)
    expect(tokenizer.spec.vocab).toEqual(reference.vocab)
  })

  it('fills the vocabulary to the size asked for, special tokens last, and is deterministic', () => {
    const first = trainByteLevelBpe([demoText], { vocabSize: 400, specialTokens: [endOfText, '<|pad|>'], padToken: '<|pad|>' })
    const second = trainByteLevelBpe([demoText], { vocabSize: 400, specialTokens: [endOfText, '<|pad|>'], padToken: '<|pad|>' })
    const t = first.tokenizer
    expect(t.vocabSize).toBe(400)
    expect(t.spec.vocab.slice(398)).toEqual([endOfText, '<|pad|>'])
    expect([t.eosId, t.bosId, t.padId]).toEqual([398, 398, 399])
    expect(second.tokenizer.spec).toEqual(t.spec)
    expect(first.bytes).toBe(Buffer.byteLength(demoText))
    expect(first.merges).toBe(400 - 256 - 2)
  })

  it('stops early when no pair is frequent enough', () => {
    const result = trainByteLevelBpe(['abc abd'], { vocabSize: 1000 })
    // Pairs seen twice: "ab" only; then "Ġ"+"ab" once and "ab"+"c" once fall below the minimum of 2.
    expect(result.merges).toBe(1)
    expect(result.tokenizer.vocabSize).toBe(256 + 1 + 1)
  })

  it('refuses impossible settings with a sentence', () => {
    expect(() => trainByteLevelBpe(['x'], { vocabSize: 256 })).toThrow(/from 257 .* to 65536/)
    expect(() => trainByteLevelBpe(['x'], { vocabSize: 300, specialTokens: [] })).toThrow(/at least one special token/)
    expect(() => trainByteLevelBpe(['x'], { vocabSize: 300, eosToken: '</s>' })).toThrow(/not one of the special tokens/)
    expect(() => trainByteLevelBpe(['x'], { vocabSize: 300, minFrequency: 0 })).toThrow(/at least 1/)
  })

  it('stops with `cancelled` when its signal is aborted, and reports progress', () => {
    const controller = new AbortController()
    const seen: number[] = []
    const run = () =>
      trainByteLevelBpe([demoText], {
        vocabSize: 600,
        signal: controller.signal,
        progressEvery: 16,
        onProgress: (done) => {
          seen.push(done)
          if (done >= 64) controller.abort()
        },
      })
    expect(run).toThrow(expect.objectContaining({ code: 'cancelled' }))
    expect(seen).toEqual([16, 32, 48, 64])
  })
})
