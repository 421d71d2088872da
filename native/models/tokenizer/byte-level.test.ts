import { ByteLevelPreTokenizer } from '@huggingface/tokenizers'
import { describe, expect, it } from 'vitest'
import { byteAlphabet, byteToChar, fromByteLevel, toByteLevel } from './byte-level'
import { splitWords } from './pre-tokenize'
import { variedTexts } from './varied-texts'

describe('byte-level characters', () => {
  it('shows bytes as GPT-2 does: printable bytes as themselves, the rest from U+0100 on', () => {
    expect(byteToChar[0x20]).toBe('Ġ')
    expect(byteToChar[0x0a]).toBe('Ċ')
    expect(byteToChar[0x09]).toBe('ĉ')
    expect(byteToChar[0x00]).toBe('Ā')
    expect(byteToChar[0xa0]).toBe('ł')
    expect(byteToChar[0xad]).toBe('Ń')
    expect(byteToChar[0x41]).toBe('A')
    expect(byteToChar[0xe9]).toBe('é')
    expect(new Set(byteToChar).size).toBe(256)
    expect(byteToChar.some((c) => /\s/u.test(c))).toBe(false)
    expect(byteAlphabet.slice(0, 3)).toEqual(['!', '"', '#'])
    expect(byteAlphabet[255]).toBe('Ń')
  })

  it('agrees with the ByteLevel pre-tokenizer of @huggingface/tokenizers on every byte and on varied text', () => {
    const library = new ByteLevelPreTokenizer({ type: 'ByteLevel', add_prefix_space: false, use_regex: true })
    const everyCharacter = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('')
    for (const text of [everyCharacter, ...variedTexts]) {
      expect(splitWords(text).map(toByteLevel)).toEqual(library.pre_tokenize_text(text))
    }
  })

  it('turns byte-level strings back into their UTF-8 bytes and refuses other characters', () => {
    const text = 'Ünïcødé 😀 \n\t'
    expect(fromByteLevel(toByteLevel(text))).toEqual(new TextEncoder().encode(text))
    expect(fromByteLevel('a b')).toBeUndefined()
  })
})
