/**
 * Crash-safe checkpoint folders, for exact resume of long jobs (Nash-MD-PG training: weights,
 * optimizer state, step, RNG state, data position).
 *
 * Layout under a run's checkpoint root:
 *
 *   step-00000120/manifest.json   format, version, step, createdAt, `state` (any JSON: RNG state,
 *                                 data position, config), the tensor table and the data file's size
 *                                 and SHA-256
 *   step-00000120/tensors.bin     every tensor's raw little-endian bytes, each at a 64-byte-aligned
 *                                 offset (so they can be viewed in place as typed arrays)
 *
 * A checkpoint is written into `.partial-step-…` (tensors, then the manifest, each fsynced), which
 * is renamed to `step-…` only when complete; so a folder named `step-…` is always whole, and a
 * process killed mid-write leaves only a `.partial-` folder, which the next write removes. Readers
 * take the highest step whose manifest and checksum verify, and fall back to older ones otherwise.
 * One writer per root.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { NashlabError } from '../api/errors'
import type { TypedArray } from '../onnx/dtype'
import { fsyncDirectory, writeAll, writeFileAtomic } from './atomic'

export type TensorDtype = 'float32' | 'float64' | 'float16' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool'

/** The typed arrays tensors are held in (onnx/dtype.ts). */
export type TensorArray = TypedArray

/** A tensor as checkpoints store it. float16 data is held as its raw bits in a Uint16Array; bool as 0/1 bytes. */
export interface StoredTensor {
  dtype: TensorDtype
  shape: number[]
  data: TensorArray
}

export interface CheckpointContent<S = unknown> {
  /** The step this checkpoint was taken after; names the folder. */
  step: number
  /** JSON-serialisable job state: RNG state (`Rng.save()`), data position, config, … */
  state: S
  /** Named tensors, e.g. `weights/wte`, `adamw.m/wte`, `adamw.v/wte`. */
  tensors: Record<string, StoredTensor>
}

export interface Checkpoint<S = unknown> extends CheckpointContent<S> {
  /** The folder it was read from or written to. */
  folder: string
  createdAt: string
}

interface TensorEntry {
  dtype: TensorDtype
  shape: number[]
  offset: number
  bytes: number
}

interface Manifest {
  format: 'nashlab-checkpoint'
  version: 1
  step: number
  createdAt: string
  state: unknown
  tensors: Record<string, TensorEntry>
  data: { file: string; bytes: number; sha256: string }
}

const manifestFile = 'manifest.json'
const dataFile = 'tensors.bin'
const alignment = 64

const arrayTypes: Record<TensorDtype, { new (buffer: ArrayBuffer, offset: number, length: number): TensorArray; BYTES_PER_ELEMENT: number }> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
}

/** The folder name of a step: `step-00000120` (zero-padded so names sort by step). */
export function stepFolderName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`
}

export interface WriteOptions {
  /** Keep this many newest checkpoints and delete older ones (default: keep all). */
  keep?: number
}

/** Write a checkpoint folder under `root` (created when missing); returns it as a reader would see it. */
export function writeCheckpoint<S>(root: string, content: CheckpointContent<S>, options: WriteOptions = {}): Checkpoint<S> {
  const { step, state, tensors } = content
  if (!Number.isSafeInteger(step) || step < 0) throw new NashlabError('invalid_input', `A checkpoint step must be a non-negative whole number, got ${step}.`, { step })
  fs.mkdirSync(root, { recursive: true })
  removePartials(root)
  const name = stepFolderName(step)
  const partial = path.join(root, `.partial-${name}-${crypto.randomBytes(4).toString('hex')}`)
  fs.mkdirSync(partial)

  const entries: Record<string, TensorEntry> = {}
  const hash = crypto.createHash('sha256')
  const fd = fs.openSync(path.join(partial, dataFile), 'wx')
  let offset = 0
  try {
    for (const [tensorName, tensor] of Object.entries(tensors)) {
      checkTensor(tensorName, tensor)
      const padding = (alignment - (offset % alignment)) % alignment
      if (padding > 0) {
        const zeros = new Uint8Array(padding)
        writeAll(fd, zeros)
        hash.update(zeros)
        offset += padding
      }
      const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength)
      writeAll(fd, bytes)
      hash.update(bytes)
      entries[tensorName] = { dtype: tensor.dtype, shape: [...tensor.shape], offset, bytes: bytes.byteLength }
      offset += bytes.byteLength
    }
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  const createdAt = new Date().toISOString()
  const manifest: Manifest = {
    format: 'nashlab-checkpoint',
    version: 1,
    step,
    createdAt,
    state,
    tensors: entries,
    data: { file: dataFile, bytes: offset, sha256: hash.digest('hex') },
  }
  writeFileAtomic(path.join(partial, manifestFile), `${JSON.stringify(manifest, null, 2)}\n`)

  const folder = path.join(root, name)
  // Writing a step again (a resumed run repeating it) replaces the old folder; a crash in between
  // leaves the older steps, which readers fall back to.
  if (fs.existsSync(folder)) fs.rmSync(folder, { recursive: true, force: true })
  fs.renameSync(partial, folder)
  fsyncDirectory(root)
  if (options.keep !== undefined) prune(root, options.keep)
  return { folder, createdAt, step, state, tensors }
}

/** Read and verify one checkpoint folder; throws `bad_file` naming what is wrong. */
export function readCheckpoint<S = unknown>(folder: string): Checkpoint<S> {
  const manifestPath = path.join(folder, manifestFile)
  let manifest: Manifest
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'))
  } catch (error) {
    throw new NashlabError('bad_file', `The checkpoint manifest ${manifestPath} cannot be read: ${(error as Error).message}`, { file: manifestPath })
  }
  if (manifest?.format !== 'nashlab-checkpoint' || manifest.version !== 1) {
    throw new NashlabError('bad_file', `${manifestPath} is not a version 1 Nashlab checkpoint manifest.`, { file: manifestPath })
  }
  const dataPath = path.join(folder, manifest.data.file)
  const data = fs.readFileSync(dataPath)
  if (data.byteLength !== manifest.data.bytes) {
    throw new NashlabError('bad_file', `${dataPath} has ${data.byteLength} bytes; its manifest says ${manifest.data.bytes}.`, { file: dataPath })
  }
  const sha256 = crypto.createHash('sha256').update(data).digest('hex')
  if (sha256 !== manifest.data.sha256) throw new NashlabError('bad_file', `${dataPath} does not match the checksum in its manifest.`, { file: dataPath })

  const tensors: Record<string, StoredTensor> = {}
  for (const [name, entry] of Object.entries(manifest.tensors)) {
    const type = arrayTypes[entry.dtype]
    if (!type || entry.offset + entry.bytes > data.byteLength || entry.bytes % type.BYTES_PER_ELEMENT !== 0) {
      throw new NashlabError('bad_file', `Tensor "${name}" in ${manifestPath} has a bad dtype, offset or size.`, { file: manifestPath, tensor: name })
    }
    const start = data.byteOffset + entry.offset
    const length = entry.bytes / type.BYTES_PER_ELEMENT
    // A view when aligned (the usual case: offsets are 64-byte aligned), a copy otherwise.
    const array =
      start % type.BYTES_PER_ELEMENT === 0
        ? new type(data.buffer as ArrayBuffer, start, length)
        : new type(data.buffer.slice(start, start + entry.bytes) as ArrayBuffer, 0, length)
    tensors[name] = { dtype: entry.dtype, shape: entry.shape, data: array }
  }
  return { folder, createdAt: manifest.createdAt, step: manifest.step, state: manifest.state as S, tensors }
}

/** Step folders under `root`, newest first. */
export function listCheckpoints(root: string): { step: number; folder: string }[] {
  if (!fs.existsSync(root)) return []
  return fs
    .readdirSync(root)
    .map((name) => /^step-(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ step: Number(m[1]), folder: path.join(root, m[0]) }))
    .sort((a, b) => b.step - a.step)
}

/**
 * The newest checkpoint under `root` that reads back whole, or null when there is none. Folders that
 * fail verification are skipped (and listed in `skipped`) so a resume never starts from damage.
 */
export function readLatestCheckpoint<S = unknown>(root: string): (Checkpoint<S> & { skipped: { folder: string; reason: string }[] }) | null {
  const skipped: { folder: string; reason: string }[] = []
  for (const { folder } of listCheckpoints(root)) {
    try {
      return { ...readCheckpoint<S>(folder), skipped }
    } catch (error) {
      skipped.push({ folder, reason: (error as Error).message })
    }
  }
  return null
}

function checkTensor(name: string, tensor: StoredTensor): void {
  const type = arrayTypes[tensor.dtype]
  if (!type) throw new NashlabError('invalid_input', `Tensor "${name}" has an unknown dtype "${tensor.dtype}".`, { tensor: name })
  if (tensor.data.BYTES_PER_ELEMENT !== type.BYTES_PER_ELEMENT) {
    throw new NashlabError('invalid_input', `Tensor "${name}" is ${tensor.dtype} but its data has ${tensor.data.BYTES_PER_ELEMENT}-byte elements.`, { tensor: name })
  }
  const elements = tensor.shape.reduce((a, b) => a * b, 1)
  if (elements !== tensor.data.length) {
    throw new NashlabError('invalid_input', `Tensor "${name}" has shape [${tensor.shape.join(', ')}] (${elements} elements) but ${tensor.data.length} values.`, { tensor: name })
  }
}

/** Remove folders a killed writer left behind. */
function removePartials(root: string): void {
  for (const name of fs.readdirSync(root)) {
    if (name.startsWith('.partial-step-')) fs.rmSync(path.join(root, name), { recursive: true, force: true })
  }
}

function prune(root: string, keep: number): void {
  for (const { folder } of listCheckpoints(root).slice(Math.max(1, keep))) fs.rmSync(folder, { recursive: true, force: true })
}
