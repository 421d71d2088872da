/** A piece of text, and whether it matched the search. */
export interface Piece {
  text: string
  hit: boolean
}

/**
 * The words of an FTS5 query worth marking in results: phrases' and terms' words, prefixes without
 * their star; the operators AND / OR / NOT / NEAR and column names are dropped.
 */
export function searchTerms(query: string): string[] {
  const words = query
    .replace(/\b[a-z_]+:/gi, ' ')
    .split(/[^\p{L}\p{N}_*]+/u)
    .filter((w) => w && !['AND', 'OR', 'NOT', 'NEAR'].includes(w))
    .map((w) => w.replace(/\*+$/, '').toLowerCase())
    .filter((w) => w.length > 0)
  return [...new Set(words)]
}

/**
 * Split `text` into pieces at the words that start with a search term (as FTS5 matches tokens:
 * case-insensitively, a term matching a word's beginning only when it was a prefix query; whole
 * words otherwise — marking beginnings of words is close enough for display).
 */
export function highlight(text: string, terms: string[]): Piece[] {
  if (terms.length === 0 || !text) return [{ text, hit: false }]
  const escaped = terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(${escaped.join('|')})[\\p{L}\\p{N}_]*`, 'giu')
  const pieces: Piece[] = []
  let last = 0
  for (const m of text.matchAll(pattern)) {
    if (m.index > last) pieces.push({ text: text.slice(last, m.index), hit: false })
    pieces.push({ text: m[0], hit: true })
    last = m.index + m[0].length
  }
  if (last < text.length) pieces.push({ text: text.slice(last), hit: false })
  return pieces
}
