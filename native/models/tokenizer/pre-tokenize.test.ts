import { describe, expect, it } from 'vitest'
import { AddedTokenSplitter, splitWords } from './pre-tokenize'

describe('pre-tokenization', () => {
  it("splits words as GPT-2 does: contractions, a leading space kept with the word, a whitespace run's last space left to the next word", () => {
    expect(splitWords("Hello world's  end, it's 42!\n\nNext")).toEqual(['Hello', ' world', "'s", ' ', ' end', ',', ' it', "'s", ' 42', '!', '\n', '\n', 'Next'])
    expect(splitWords('trailing   ')).toEqual(['trailing', '   '])
    expect(splitWords('')).toEqual([])
  })

  it('gives the text back when the words are joined', () => {
    const text = 'mixed  \t text\n with ünïcode 😀 and 123abc'
    expect(splitWords(text).join('')).toBe(text)
  })

  it('cuts added tokens out wherever they occur, the longest first', () => {
    const splitter = new AddedTokenSplitter(['<|end|>', '<|endoftext|>', '<s>'])
    expect(splitter.split('a<|endoftext|>b<|end|><s>')).toEqual([{ text: 'a' }, { added: '<|endoftext|>' }, { text: 'b' }, { added: '<|end|>' }, { added: '<s>' }])
    expect(splitter.split('')).toEqual([])
    expect(new AddedTokenSplitter([]).split('plain')).toEqual([{ text: 'plain' }])
    expect(new AddedTokenSplitter(['a.b']).split('axb a.b')).toEqual([{ text: 'axb ' }, { added: 'a.b' }])
  })
})
