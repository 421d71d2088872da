import fs from 'node:fs'
import { StringDecoder } from 'node:string_decoder'

/**
 * Read a text file line by line without loading it whole: 1 MiB chunks, synchronous (so an import
 * can run inside one SQLite transaction). Yields each line without its newline, with its 1-based
 * number. A final line without a newline is yielded too.
 */
export function* readLines(file: string, chunkSize = 1 << 20): Generator<{ line: string; number: number }> {
  const fd = fs.openSync(file, 'r')
  try {
    const buffer = Buffer.alloc(chunkSize)
    const decoder = new StringDecoder('utf8')
    let rest = ''
    let number = 0
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, chunkSize, null)
      if (n === 0) break
      const text = rest + decoder.write(buffer.subarray(0, n))
      let start = 0
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
        number++
        yield { line: stripCr(text.slice(start, i)), number }
        start = i + 1
      }
      rest = text.slice(start)
    }
    rest += decoder.end()
    if (rest.length > 0) yield { line: stripCr(rest), number: number + 1 }
  } finally {
    fs.closeSync(fd)
  }
}

/** The same over an in-memory string (content sent by a browser). */
export function* stringLines(content: string): Generator<{ line: string; number: number }> {
  let start = 0
  let number = 0
  for (let i = content.indexOf('\n'); i !== -1; i = content.indexOf('\n', start)) {
    number++
    yield { line: stripCr(content.slice(start, i)), number }
    start = i + 1
  }
  if (start < content.length) yield { line: stripCr(content.slice(start)), number: number + 1 }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line
}
