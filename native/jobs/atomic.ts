import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/**
 * Write a file so that readers, and a process killed at any moment, see either the old content or
 * the new content in full, never a mix: write a temporary file beside it, fsync it, rename it over
 * the target (atomic within one file system), then fsync the folder so the rename itself is durable.
 * `chunks` are written in order without being joined first (large tensors are not copied).
 * One writer per file: temporary files a killed writer left for the same target are removed first.
 */
export function writeFileAtomic(file: string, chunks: string | Uint8Array | readonly Uint8Array[]): void {
  const parts = typeof chunks === 'string' ? [Buffer.from(chunks)] : chunks instanceof Uint8Array ? [chunks] : chunks
  removeStaleTemporaries(file)
  const temporary = temporaryPath(file)
  try {
    writeAndSync(temporary, parts)
    fs.renameSync(temporary, file)
  } catch (error) {
    fs.rmSync(temporary, { force: true })
    throw error
  }
  fsyncDirectory(path.dirname(file))
}

/** Write `parts` to a new file and fsync it (the file must not exist). */
export function writeAndSync(file: string, parts: readonly Uint8Array[]): void {
  const fd = fs.openSync(file, 'wx')
  try {
    for (const part of parts) writeAll(fd, part)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/** writeSync may write less than asked; loop until the whole buffer is out. */
export function writeAll(fd: number, data: Uint8Array): void {
  let written = 0
  while (written < data.byteLength) written += fs.writeSync(fd, data, written, data.byteLength - written)
}

/**
 * Make a folder's entries (a rename, a new file) durable. Windows cannot open a folder for fsync and
 * commits renames with the file system's own journal, so there it is skipped.
 */
export function fsyncDirectory(folder: string): void {
  if (process.platform === 'win32') return
  const fd = fs.openSync(folder, 'r')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/** A fresh name beside `file`: `.<name>.<12 hex digits>.tmp`. */
export function temporaryPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`)
}

function removeStaleTemporaries(file: string): void {
  const folder = path.dirname(file)
  const prefix = `.${path.basename(file)}.`
  for (const name of fs.readdirSync(folder)) {
    if (name.startsWith(prefix) && /^[0-9a-f]{12}\.tmp$/.test(name.slice(prefix.length))) fs.rmSync(path.join(folder, name), { force: true })
  }
}
