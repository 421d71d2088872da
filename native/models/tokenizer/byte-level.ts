/**
 * GPT-2's byte-to-unicode mapping: every byte 0–255 is shown as one printable character, so a
 * byte-level BPE vocabulary is a set of ordinary strings with no whitespace or control characters.
 * Printable bytes ('!'–'~', '¡'–'¬', '®'–'ÿ') map to themselves; the other 68 bytes (space, control
 * characters, DEL, NBSP, soft hyphen) map in byte order to U+0100, U+0101, … — a space becomes 'Ġ'
 * (U+0120) and a newline 'Ċ' (U+010A), as in every GPT-2-style tokenizer.json.
 */

/** `byteToChar[b]`: the character that stands for byte b. */
export const byteToChar: readonly string[] = buildByteToChar()

/** The byte a byte-level character stands for; undefined for any other character. */
export const charToByte: ReadonlyMap<string, number> = new Map(byteToChar.map((c, b) => [c, b]))

/**
 * The 256 byte characters sorted by code point: a trained vocabulary gives id i to `byteAlphabet[i]`
 * (the order of GPT-2's vocab.json and of the Hugging Face trainer's initial alphabet).
 */
export const byteAlphabet: readonly string[] = [...byteToChar].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!)

function buildByteToChar(): string[] {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff)
  const chars = new Array<string>(256)
  let shifted = 0
  for (let b = 0; b < 256; b++) chars[b] = String.fromCharCode(printable(b) ? b : 256 + shifted++)
  return chars
}

const encoder = new TextEncoder()

/** UTF-8 bytes of `text` written as byte-level characters (the form a byte-level vocabulary stores). */
export function toByteLevel(text: string): string {
  let out = ''
  for (const b of encoder.encode(text)) out += byteToChar[b]
  return out
}

/** The bytes a byte-level string stands for; undefined when it holds any other character. */
export function fromByteLevel(token: string): Uint8Array | undefined {
  const bytes = new Uint8Array(token.length)
  for (let i = 0; i < token.length; i++) {
    const b = charToByte.get(token[i])
    if (b === undefined) return undefined
    bytes[i] = b
  }
  return bytes
}
