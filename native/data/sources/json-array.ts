import type { ByteSource } from '../byte-source'
import { textChunks } from '../text-chunks'
import { badFile, badRow } from '../where'
import type { RecordSource, SourceRecord } from './source'

/**
 * A JSON array of rows (`[{...}, {...}]`), read without holding the file: a small scanner finds
 * where each top-level element ends (tracking strings and nesting), and each element is parsed on
 * its own. Elements are reported by their 1-based index and the line they start on.
 */
export function jsonArraySource(bytes: ByteSource, options: { maxLineBytes: number }): RecordSource {
  let done = 0
  return {
    container: 'json',
    cellsAreText: false,
    progress: () => ({ done, total: bytes.size, unit: 'bytes' }),
    close: () => bytes.close(),
    async *batches() {
      const splitter = new ArraySplitter(bytes.name, options.maxLineBytes)
      for (const chunk of textChunks(bytes, options)) {
        const batch: SourceRecord[] = []
        splitter.push(chunk.text, chunk.firstLine, (text, line, row) => {
          let value: unknown
          try {
            value = JSON.parse(text)
          } catch (error) {
            throw badRow({ file: bytes.name, line, row }, undefined, `element ${row} is not valid JSON (${(error as Error).message})`)
          }
          batch.push({ value, where: { file: bytes.name, line, row } })
        })
        done = chunk.bytesDone
        yield batch
      }
      splitter.end()
    },
  }
}

type State = 'start' | 'open' | 'comma' | 'element' | 'closed'

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9

/** Splits the text of a JSON array into the texts of its elements, across chunk boundaries. */
export class ArraySplitter {
  private state: State = 'start'
  private depth = 0
  private inString = false
  private parts: string[] = []
  private partsLength = 0
  private elementLine = 0
  private count = 0
  private line = 1

  constructor(
    private readonly file: string,
    private readonly maxElementChars: number,
  ) {}

  push(text: string, firstLine: number, emit: (element: string, line: number, row: number) => void): void {
    this.line = firstLine
    let i = 0
    let elementStart = this.state === 'element' ? 0 : -1
    const n = text.length
    while (i < n) {
      if (this.inString) {
        const quote = text.indexOf('"', i)
        if (quote === -1) {
          i = n
          break
        }
        let slashes = 0
        for (let k = quote - 1; k >= i && text.charCodeAt(k) === 92; k--) slashes++
        // An even run of backslashes before the quote escapes only itself.
        if (slashes % 2 === 0) this.inString = false
        i = quote + 1
        continue
      }
      const c = text.charCodeAt(i)
      if (c === 10) this.line++
      switch (this.state) {
        case 'start':
          if (c === 91) this.state = 'open'
          else if (!isSpace(c)) throw this.error('does not start with "[", so it is not a JSON array of rows')
          break
        case 'open':
        case 'comma':
          if (c === 93) {
            if (this.state === 'comma') throw this.error(`has a comma with no element after it on line ${this.line}`)
            this.state = 'closed'
          } else if (!isSpace(c)) {
            this.state = 'element'
            this.depth = 0
            this.elementLine = this.line
            elementStart = i
            continue
          }
          break
        case 'element':
          if (c === 34) this.inString = true
          else if (c === 123 || c === 91) this.depth++
          else if (c === 125 || c === 93) {
            if (this.depth === 0) {
              this.finish(text.slice(elementStart, i), emit)
              elementStart = -1
              this.state = 'closed'
            } else this.depth--
          } else if (c === 44 && this.depth === 0) {
            this.finish(text.slice(elementStart, i), emit)
            elementStart = -1
            this.state = 'comma'
          }
          break
        case 'closed':
          if (!isSpace(c)) throw this.error(`has text after the closing "]" on line ${this.line}`)
          break
      }
      i++
    }
    if (this.state === 'element' && elementStart !== -1) {
      const rest = text.slice(elementStart)
      this.parts.push(rest)
      this.partsLength += rest.length
      if (this.partsLength > this.maxElementChars) {
        throw badRow({ file: this.file, line: this.elementLine, row: this.count + 1 }, undefined, `element ${this.count + 1} is longer than ${this.maxElementChars} characters`)
      }
    }
  }

  end(): void {
    if (this.state === 'start') throw badFile(this.file, 'is empty')
    if (this.state !== 'closed') throw badFile(this.file, `ends before its closing "]" (after ${this.count} elements); the file may be cut short`)
  }

  private finish(tail: string, emit: (element: string, line: number, row: number) => void) {
    const text = this.parts.length > 0 ? this.parts.join('') + tail : tail
    this.parts = []
    this.partsLength = 0
    this.count++
    emit(text, this.elementLine, this.count)
  }

  private error(problem: string) {
    return badFile(this.file, problem)
  }
}
