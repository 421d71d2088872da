import type { Tokenizer } from '../models/tokenizer/tokenizer'

/**
 * Turns a growing list of token ids into text deltas for streaming. A byte-level token may end in
 * the middle of a UTF-8 character; such a tail decodes to U+FFFD, so it is held back until the next
 * token completes it (or the completion ends). Special tokens (EOS) add no text.
 */
export class TextStream {
  private readonly ids: number[] = []
  private sent = 0

  constructor(private readonly tokenizer: Tokenizer) {}

  /** Add a token; returns the text it makes visible (possibly ''). */
  push(token: number, last = false): string {
    this.ids.push(token)
    let text = this.tokenizer.decode(this.ids, { skipSpecialTokens: true })
    if (!last) {
      // Hold back a trailing run of replacement characters: they may be an unfinished character.
      let end = text.length
      while (end > this.sent && text.charCodeAt(end - 1) === 0xfffd) end--
      text = text.slice(0, end)
    }
    if (text.length < this.sent) return ''
    const delta = text.slice(this.sent)
    this.sent = text.length
    return delta
  }
}
