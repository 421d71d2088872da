import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { byteAlphabet } from './byte-level'
import { loadTokenizer, saveTokenizer, tokenizerFromJson } from './files'
import { toTokenizerFiles, type TokenizerJson } from './tokenizer-json'
import { endOfText, trainByteLevelBpe } from './train'
import { variedTexts } from './varied-texts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const demoText = fs.readFileSync(path.join(root, 'resources/demo/restaurants.jsonl'), 'utf8')
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-tokenizer-'))
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

const { tokenizer: trained } = trainByteLevelBpe([demoText, ...variedTexts], { vocabSize: 1024, minFrequency: 1 })
const texts = [...variedTexts, demoText.slice(0, 5000)]

/** A fresh copy of the trained tokenizer's files, as JSON text would give them. */
const trainedFiles = () => JSON.parse(JSON.stringify(toTokenizerFiles(trained))) as ReturnType<typeof toTokenizerFiles>

describe('tokenizer.json files', () => {
  it('a Nashlab-trained tokenizer, saved, loads in @huggingface/tokenizers and gives the same ids and texts', () => {
    const directory = path.join(scratch, 'trained')
    saveTokenizer(directory, trained)
    const json = JSON.parse(fs.readFileSync(path.join(directory, 'tokenizer.json'), 'utf8'))
    const config = JSON.parse(fs.readFileSync(path.join(directory, 'tokenizer_config.json'), 'utf8'))
    const library = new HfTokenizer(json, config)
    for (const text of texts) {
      const ids = trained.encode(text)
      expect(library.encode(text).ids).toEqual(ids)
      if (ids.length > 0) expect(library.decode(ids)).toBe(text)
    }
    expect(library.token_to_id(endOfText)).toBe(trained.eosId)
    expect(config).toMatchObject({ eos_token: endOfText, bos_token: endOfText, pad_token: endOfText, clean_up_tokenization_spaces: false })
  })

  it('loads a saved tokenizer back with either backend, each giving the same ids, round trips and special ids', () => {
    const directory = path.join(scratch, 'trained')
    const own = loadTokenizer(directory)
    const library = loadTokenizer(directory, { backend: 'huggingface' })
    expect(own.backend).toBe('nashlab')
    expect(library.backend).toBe('huggingface')
    for (const loaded of [own, library]) {
      const t = loaded.tokenizer
      expect([t.vocabSize, t.eosId, t.bosId, t.padId, t.stopIds]).toEqual([trained.vocabSize, trained.eosId, trained.eosId, trained.eosId, [trained.eosId]])
      for (const text of texts) {
        expect(t.encode(text)).toEqual(trained.encode(text))
        expect(t.decode(t.encode(text))).toBe(text)
      }
      expect(t.decode([])).toBe('')
      expect(t.decode(t.encode(`a${endOfText}b`), { skipSpecialTokens: true })).toBe('ab')
    }
  })

  it("reads GPT-2's conventions too: pair-form merges, an added token missing from model.vocab, AddedToken objects, generation_config stop ids", () => {
    const { tokenizerJson } = trainedFiles()
    const vocab = tokenizerJson.model.vocab as Record<string, number>
    delete vocab[endOfText]
    tokenizerJson.model.merges = (tokenizerJson.model.merges as string[]).map((m) => m.split(' '))
    const extra = trained.tokenToId('Ġthe')!
    const loaded = tokenizerFromJson(tokenizerJson, {
      tokenizerConfig: { eos_token: { content: endOfText } },
      generationConfig: { eos_token_id: [trained.eosId, extra] },
    })
    expect(loaded.backend).toBe('nashlab')
    expect(loaded.tokenizer.stopIds).toEqual([trained.eosId, extra])
    const library = new HfTokenizer(tokenizerJson, {})
    for (const text of texts) expect(loaded.tokenizer.encode(text)).toEqual(library.encode(text).ids)
  })

  it('applies merges the way the library does when a later merge creates a pair ranked above the one being merged', () => {
    // Ranks: (b c) → bc, (abc a) → abca, (a bc) → abc. "abcabc" goes a b c a b c → a bc a bc → abc a bc → abca bc.
    const vocab = [...byteAlphabet, 'bc', 'abca', 'abc', endOfText]
    const json: TokenizerJson = {
      ...trainedFiles().tokenizerJson,
      added_tokens: [{ id: vocab.length - 1, content: endOfText, special: true }],
      model: { type: 'BPE', vocab: Object.fromEntries(vocab.map((t, i) => [t, i])), merges: ['b c', 'abc a', 'a bc'] },
    }
    const own = tokenizerFromJson(json, { tokenizerConfig: { eos_token: endOfText } }).tokenizer
    const library = new HfTokenizer(json, {})
    for (const text of ['abcabc', 'abcabcabc', 'aabcbc abc', 'bcabca']) expect(own.encode(text)).toEqual(library.encode(text).ids)
    expect(own.encode('abcabc').map((id) => own.idToToken(id))).toEqual(['abca', 'bc'])
  })

  it('hands other tokenizers to @huggingface/tokenizers: WordPiece with a normalizer, BPE with a BOS post-processor', () => {
    const wordPiece: TokenizerJson = {
      added_tokens: ['[PAD]', '[UNK]', '[SEP]'].map((content, id) => ({ id, content, special: true })),
      normalizer: { type: 'BertNormalizer', lowercase: true, clean_text: true, handle_chinese_chars: true, strip_accents: null },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: null,
      decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
      model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: { '[PAD]': 0, '[UNK]': 1, '[SEP]': 2, hello: 3, world: 4, '##s': 5, '!': 6 } },
    }
    const loaded = tokenizerFromJson(wordPiece, { tokenizerConfig: { eos_token: '[SEP]', pad_token: '[PAD]' } })
    expect(loaded.backend).toBe('huggingface')
    expect(loaded.reason).toBe('its model is WordPiece, not BPE')
    expect(loaded.tokenizer.encode('Hello WORLDS!')).toEqual([3, 4, 5, 6])
    expect([loaded.tokenizer.eosId, loaded.tokenizer.padId, loaded.tokenizer.bosId, loaded.tokenizer.vocabSize]).toEqual([2, 0, undefined, 7])

    const { tokenizerJson } = trainedFiles()
    const eos = trained.eosId
    tokenizerJson.post_processor = {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: endOfText, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: endOfText, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { [endOfText]: { id: endOfText, ids: [eos], tokens: [endOfText] } },
    }
    const withBos = tokenizerFromJson(tokenizerJson, { tokenizerConfig: { eos_token: endOfText, bos_token: endOfText } })
    expect(withBos.backend).toBe('huggingface')
    expect(withBos.tokenizer.encode('taco')).toEqual([eos, ...trained.encode('taco')])
    expect(withBos.tokenizer.encode('taco', { addSpecialTokens: false })).toEqual(trained.encode('taco'))
  })

  it('refuses a tokenizer with no end-of-sequence token, or one naming a token it lacks, with a sentence', () => {
    const { tokenizerJson } = trainedFiles()
    expect(() => tokenizerFromJson(tokenizerJson, {})).toThrow(/names no end-of-sequence token: add "eos_token" to tokenizer_config.json/)
    expect(() => tokenizerFromJson(tokenizerJson, { tokenizerConfig: { eos_token: '</s>' } })).toThrow(/"<\/s>" is not in the tokenizer's vocabulary/)
    expect(() => loadTokenizer(path.join(scratch, 'missing'))).toThrow(/Could not read .*tokenizer.json/)
  })
})
