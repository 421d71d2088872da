import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Rng } from '../runtime/rng'
import { typescriptChildArgs } from '../runtime/typescript-child'
import { writeFileAtomic } from './atomic'
import { listCheckpoints, readCheckpoint, readLatestCheckpoint, stepFolderName, writeCheckpoint } from './checkpoint'

let root: string
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-checkpoint-'))
})
afterEach(() => fs.rmSync(root, { recursive: true, force: true }))

describe('checkpoints', () => {
  it('round-trips tensors of every kind, the job state and the RNG stream', () => {
    const rng = Rng.fromSeed(5)
    rng.uint32()
    const tensors = {
      'weights/w': { dtype: 'float32' as const, shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6.5) },
      'adamw.step': { dtype: 'int64' as const, shape: [1], data: BigInt64Array.of(123n) },
      'weights/h': { dtype: 'float16' as const, shape: [3], data: Uint16Array.of(0x3c00, 0x4000, 0x4200) },
      'mask': { dtype: 'bool' as const, shape: [5], data: Uint8Array.of(1, 0, 1, 1, 0) },
      'ids': { dtype: 'int32' as const, shape: [2, 2], data: Int32Array.of(-1, 2, -3, 4) },
    }
    writeCheckpoint(root, { step: 7, state: { rng: rng.save(), dataPosition: 96 }, tensors })
    const read = readLatestCheckpoint<{ rng: ReturnType<Rng['save']>; dataPosition: number }>(root)!
    expect(read.step).toBe(7)
    expect(read.folder).toBe(path.join(root, stepFolderName(7)))
    expect(read.skipped).toEqual([])
    expect(read.state.dataPosition).toBe(96)
    for (const [name, tensor] of Object.entries(tensors)) {
      expect(read.tensors[name].dtype).toBe(tensor.dtype)
      expect(read.tensors[name].shape).toEqual(tensor.shape)
      expect(Array.from(read.tensors[name].data as ArrayLike<number | bigint>)).toEqual(Array.from(tensor.data as ArrayLike<number | bigint>))
    }
    const restored = Rng.fromState(read.state.rng)
    expect([restored.uint32(), restored.float()]).toEqual([rng.uint32(), rng.float()])
  })

  it('keeps the newest N, falls back past a damaged checkpoint, and ignores a half-written one', () => {
    const tensor = (v: number) => ({ w: { dtype: 'float32' as const, shape: [4], data: new Float32Array(4).fill(v) } })
    for (const step of [1, 2, 3]) writeCheckpoint(root, { step, state: { step }, tensors: tensor(step) }, { keep: 2 })
    expect(listCheckpoints(root).map((c) => c.step)).toEqual([3, 2])

    const damaged = path.join(root, stepFolderName(3), 'tensors.bin')
    const bytes = fs.readFileSync(damaged)
    bytes[0] ^= 0xff
    fs.writeFileSync(damaged, bytes)
    fs.mkdirSync(path.join(root, `.partial-${stepFolderName(4)}-dead`))
    const latest = readLatestCheckpoint(root)!
    expect(latest.step).toBe(2)
    expect(latest.skipped).toEqual([{ folder: path.join(root, stepFolderName(3)), reason: expect.stringMatching(/does not match the checksum/) }])
    expect(() => readCheckpoint(path.join(root, stepFolderName(3)))).toThrow(/does not match the checksum/)

    // The next write clears what a killed writer left.
    writeCheckpoint(root, { step: 4, state: {}, tensors: tensor(4) })
    expect(fs.readdirSync(root).filter((n) => n.startsWith('.partial-'))).toEqual([])
  })

  it('refuses a tensor whose shape does not match its data, naming it', () => {
    expect(() => writeCheckpoint(root, { step: 1, state: {}, tensors: { w: { dtype: 'float32', shape: [3], data: new Float32Array(4) } } })).toThrow(
      'Tensor "w" has shape [3] (3 elements) but 4 values.',
    )
  })

  it('replaces a file atomically and leaves no temporary file, clearing one a killed writer left', () => {
    const file = path.join(root, 'state.json')
    fs.writeFileSync(path.join(root, '.state.json.0123456789ab.tmp'), '{"a":')
    writeFileAtomic(file, '{"a":1}')
    writeFileAtomic(file, [Buffer.from('{"a":'), Buffer.from('2}')])
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ a: 2 })
    expect(fs.readdirSync(root)).toEqual(['state.json'])
  })

  it('survives SIGKILL of a process writing checkpoints in a loop, twice, and resumes where it stopped', async () => {
    const writer = fileURLToPath(new URL('./fixtures/checkpoint-writer.ts', import.meta.url))
    let lastPrinted = 0
    for (let round = 0; round < 2; round++) {
      const target = lastPrinted + 4
      lastPrinted = await new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, [...typescriptChildArgs(), writer, root], { stdio: ['ignore', 'pipe', 'pipe'] })
        let printed = 0
        let killing = false
        let stderr = ''
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
        child.stdout.on('data', (chunk: Buffer) => {
          for (const match of chunk.toString().matchAll(/step (\d+)/g)) printed = Number(match[1])
          // Kill it in the middle of its next write: the loop is almost all writing.
          if (printed >= target && !killing) {
            killing = true
            setTimeout(() => child.kill('SIGKILL'), 7)
          }
        })
        child.on('close', (code, signal) => {
          if (signal === 'SIGKILL') resolve(printed)
          else reject(new Error(`the writer stopped by itself (code ${code}): ${stderr}`))
        })
      })
      const latest = readLatestCheckpoint<{ dataPosition: number }>(root)!
      expect(latest.skipped).toEqual([])
      // Whole: the newest checkpoint is the last one announced or the one being written when killed.
      expect(latest.step).toBeGreaterThanOrEqual(lastPrinted)
      expect(latest.step).toBeLessThanOrEqual(lastPrinted + 1)
      const weights = latest.tensors['weights/w'].data as Float32Array
      expect(weights.length).toBe(1 << 20)
      expect(weights.every((v) => v === latest.step)).toBe(true)
      expect((latest.tensors['adamw.step'].data as BigInt64Array)[0]).toBe(BigInt(latest.step))
      expect(latest.state.dataPosition).toBe(latest.step * 16)
      const progress = JSON.parse(fs.readFileSync(path.join(root, 'progress.json'), 'utf8'))
      expect(progress.padding.length).toBe(1 << 18)
      expect(progress.step).toBeGreaterThanOrEqual(lastPrinted)
      lastPrinted = latest.step
    }
  })
})
