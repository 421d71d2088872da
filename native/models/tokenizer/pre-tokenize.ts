/**
 * Pre-tokenization: the cuts BPE never merges across.
 *
 * Words: GPT-2's pattern, the one the Hugging Face ByteLevel pre-tokenizer applies with
 * `use_regex: true` — English contractions, an optional space plus a run of letters, of digits or of
 * other symbols, and whitespace runs (a run before a word leaves its last space to that word).
 * It is written exactly as @huggingface/tokenizers writes it, so both split every text the same way.
 * (The Rust library's `\s` also counts U+0085 and not U+FEFF; texts holding those two characters
 * can split differently there.)
 *
 * Added tokens (`<|endoftext|>` and the like) are cut out of the text first, wherever they occur,
 * longest first, and are never split further — what Hugging Face tokenizers do by default.
 */

/** GPT-2's pre-tokenizer pattern (global, unicode). */
export const wordPattern = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu

/** The words of `text`, in order; concatenated they give `text` back. */
export function splitWords(text: string): string[] {
  return text.match(wordPattern) ?? []
}

/** A piece of text between added tokens, or one added token. */
export type Section = { text: string } | { added: string }

/**
 * Finds added tokens in text. At each position the longest added token starting there wins, scanning
 * left to right (the rule of the Hugging Face splitters).
 */
export class AddedTokenSplitter {
  private readonly pattern: RegExp | undefined

  constructor(tokens: readonly string[]) {
    const sorted = [...new Set(tokens)].filter((t) => t.length > 0).sort((a, b) => b.length - a.length)
    this.pattern = sorted.length ? new RegExp(sorted.map(escapeRegExp).join('|'), 'g') : undefined
  }

  /** `text` cut into plain sections and added tokens; empty sections are left out. */
  split(text: string): Section[] {
    if (!this.pattern) return text ? [{ text }] : []
    const sections: Section[] = []
    let start = 0
    for (const match of text.matchAll(this.pattern)) {
      if (match.index > start) sections.push({ text: text.slice(start, match.index) })
      sections.push({ added: match[0] })
      start = match.index + match[0].length
    }
    if (start < text.length) sections.push({ text: text.slice(start) })
    return sections
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}
