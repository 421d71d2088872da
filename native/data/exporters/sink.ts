import fs from 'node:fs'
import path from 'node:path'
import { NashlabError } from '../../api/errors'

/**
 * A file written whole or not at all: bytes go to `.<file>.partial` beside it, and only a finished
 * export is renamed over the target. A failed or cancelled export removes its partial.
 */
export class PartialFile {
  protected readonly fd: number
  readonly partial: string

  constructor(readonly file: string) {
    this.partial = partialPath(file)
    this.fd = openPartial(this.partial, file)
  }

  /** Close the partial and move it over the target; returns the file's size in bytes. */
  protected commit(): number {
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

/** Text written whole or not at all (see PartialFile), in 1 MiB writes. */
export class TextSink extends PartialFile {
  private parts: string[] = []
  private size = 0

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
    return this.commit()
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
