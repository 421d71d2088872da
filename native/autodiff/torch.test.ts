import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as ort from 'onnxruntime-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadModel } from '../onnx/external'
import { cpuSession } from '../onnx/session'
import { autodiff } from './autodiff'
import { logCheck } from './gradcheck'

/** Debian's python3 with torch (the pyenv python3 on PATH has no torch). */
const PYTHON = '/usr/bin/python3'

function torchAvailable(): boolean {
  if (!existsSync(PYTHON)) return false
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 })
    return true
  } catch {
    return false
  }
}

interface Reference {
  input_ids: number[]
  targets: number[]
  shape: number[]
  loss: number
  gradients: Record<string, number[]>
}

describe.skipIf(!torchAvailable())('autodiff against PyTorch on exported GPTs (torch 1.13 exporter)', () => {
  let dir = ''
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nashlab-torch-'))
    execFileSync(PYTHON, [fileURLToPath(new URL('./torch_gpt.py', import.meta.url)), dir], { stdio: 'ignore', timeout: 120_000 })
  }, 120_000)
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  for (const variant of ['gpt2_opset17', 'gpt2_opset14', 'llama_opset15']) {
    it(`${variant}: loss and every parameter gradient match PyTorch within float32 precision`, async () => {
      const model = await loadModel(join(dir, `${variant}.onnx`))
      const reference = JSON.parse(await readFile(join(dir, `${variant}.json`), 'utf8')) as Reference
      const names = Object.keys(reference.gradients)
      const result = autodiff(model, { loss: 'loss', wrt: names })
      if (variant === 'gpt2_opset14') expect(result.opsetRaised).toEqual({ from: 14, to: 16 })
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(reference.input_ids.map(BigInt)), reference.shape),
        targets: new ort.Tensor('int64', BigInt64Array.from(reference.targets.map(BigInt)), reference.shape),
      }
      for (const t of model.graph.initializers) {
        if (names.includes(t.name)) feeds[t.name] = new ort.Tensor('float32', new Float32Array(t.data!.slice().buffer), t.dims)
      }
      const out = await (await cpuSession(result.model)).run(feeds)
      expect(Number(out.loss.data[0])).toBeCloseTo(reference.loss, 5)
      const errors: Record<string, number> = {}
      for (const name of names) {
        const got = out[`${name}_grad`].data as Float32Array
        const want = reference.gradients[name]
        let diff = 0
        let scale = 0
        for (let i = 0; i < want.length; i++) {
          diff = Math.max(diff, Math.abs(got[i] - want[i]))
          scale = Math.max(scale, Math.abs(want[i]))
        }
        errors[name] = diff / scale
        expect({ name, relativeError: diff / scale < 1e-4 }).toEqual({ name, relativeError: true })
      }
      logCheck(`torch.${variant}`, 'float32 vs PyTorch', Math.max(...Object.values(errors)), errors)
    })
  }
})
