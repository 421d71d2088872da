import fs from 'node:fs'
import path from 'node:path'
import { NashlabError } from '../../api/errors'

/**
 * A file written whole or not at all: text goes to `<file>.partial` in 1 MiB writes, and only a
 * finished export is renamed over the target. A failed or cancelled export removes its partial.
 */
export class TextSink {
  private readonly fd: number
  private parts: string[] = []
  private size = 0
  readonly partial: string

  constructor(readonly file: string) {
    this.partial = partialPath(file)
    this.fd = openPartial(this.partial, file)
  }

  write(text: string): void {
    this.parts.push(text)
    this.size += text.length
    if (this.size >= 1 << 20) this.flush()
  }

  flush(): void {
    if (this.parts.length === 0) return
    fs.writeSync(this.fd, this.parts.join(''))
    this.parts = []
    this.size = 0
  }

  finish(): number {
    this.flush()
    fs.closeSync(this.fd)
    fs.renameSync(this.partial, this.file)
    return fs.statSync(this.file).size
  }

  abandon(): void {
    try {
      fs.closeSync(this.fd)
    } catch {
      // Already closed by finish().
    }
    fs.rmSync(this.partial, { force: true })
  }
}

export function partialPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.partial`)
}

/** Create the partial file, turning a missing folder or a permission problem into a sentence. */
export function openPartial(partial: string, file: string): number {
  try {
    return fs.openSync(partial, 'w')
  } catch (error) {
    throw new NashlabError('invalid_input', `Cannot write ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'its folder does not exist' : (error as Error).message}.`, { file })
  }
}
