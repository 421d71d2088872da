import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ByteLevelBpe } from './bpe'
import { endOfText, trainByteLevelBpe } from './train'
import { variedTexts } from './varied-texts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const demoText = fs.readFileSync(path.join(root, 'resources/demo/restaurants.jsonl'), 'utf8')
const { tokenizer } = trainByteLevelBpe([demoText, ...variedTexts], { vocabSize: 600, minFrequency: 1 })

describe('byte-level BPE encoding', () => {
  it('gives every text back: decode(encode(x)) === x on varied text', () => {
    for (const text of variedTexts) expect(tokenizer.decode(tokenizer.encode(text))).toBe(text)
  })

  it('uses the learned merges: frequent words become few tokens', () => {
    const ids = tokenizer.encode('Head to the taco stand')
    expect(ids.length).toBeLessThan(8)
    expect(ids.map((id) => tokenizer.idToToken(id))).toContain('Ġthe')
    expect(tokenizer.encode(' the')).toEqual([tokenizer.tokenToId('Ġthe')])
  })

  it('keeps special tokens whole in text and can leave them out when decoding', () => {
    const eos = tokenizer.eosId
    expect(tokenizer.idToToken(eos)).toBe(endOfText)
    const ids = tokenizer.encode(`Hi${endOfText}there${endOfText}`)
    expect(ids.filter((id) => id === eos)).toHaveLength(2)
    expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe('Hithere')
    expect(tokenizer.decode([...tokenizer.encode('done'), eos])).toBe(`done${endOfText}`)
  })

  it('batches: encodeBatch and decodeBatch map over rows', () => {
    const texts = ['one', 'two words', '']
    const rows = tokenizer.encodeBatch(texts)
    expect(rows).toEqual(texts.map((t) => tokenizer.encode(t)))
    expect(tokenizer.decodeBatch(rows)).toEqual(texts)
  })

  it('shows a cut UTF-8 character as U+FFFD and refuses ids outside the vocabulary', () => {
    const ids = tokenizer.encode('🦩') // never seen in training: its 4 bytes stay in several tokens
    expect(ids.length).toBeGreaterThan(1)
    expect(tokenizer.decode(ids.slice(0, -1))).toBe('\uFFFD')
    expect(() => tokenizer.decode([tokenizer.vocabSize])).toThrow(/outside the vocabulary of 600/)
    expect(() => tokenizer.decode([1.5])).toThrow(/outside the vocabulary/)
  })

  it('refuses a vocabulary that misses a byte or a merge that names an unknown entry', () => {
    const { vocab, merges, addedTokens, special } = tokenizer.spec
    expect(() => new ByteLevelBpe({ vocab: vocab.filter((t) => t !== 'Ġ'), merges: [], addedTokens: [], special })).toThrow(/no entry for byte 32/)
    expect(() => new ByteLevelBpe({ vocab, merges: [...merges, ['zz', 'q']], addedTokens, special })).toThrow(/missing from the vocabulary/)
  })
})
