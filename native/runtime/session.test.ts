import fs from 'node:fs'
import os from 'node:os'
import { describe, expect, it } from 'vitest'
import { benchModel } from './bench-model'
import { ort, type InferenceSession } from './ort'
import { probeModel } from './probe-model'
import { listDevices } from './probe'
import { knownObstacle } from './providers'
import { createSession } from './session'

const add = async (session: InferenceSession) => {
  const a = new ort.Tensor('float32', Float32Array.from([1, 2]), [2])
  const b = new ort.Tensor('float32', Float32Array.from([3, 4]), [2])
  return Array.from((await session.run({ a, b })).y.data as Float32Array)
}

describe('createSession', () => {
  it('runs on the CPU by default with one intra-op thread per core, full optimisation and no spinning', async () => {
    const created = await createSession(probeModel)
    expect(created).toMatchObject({ provider: 'cpu', requested: 'cpu', warnings: [] })
    expect(created.options).toMatchObject({
      intraOpNumThreads: os.availableParallelism(),
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    })
    expect(await add(created.session)).toEqual([4, 6])
    await created.session.release()
  })

  it('falls back from CUDA to the CPU with a warning that says what to install, when CUDA is not usable here', async () => {
    const cuda = (await listDevices()).providers.find((p) => p.provider === 'cuda')!
    const created = await createSession(probeModel, { provider: 'cuda', name: 'add.onnx' })
    if (cuda.usable) {
      // A machine with CUDA set up runs it for real.
      expect(created).toMatchObject({ provider: 'cuda', warnings: [] })
    } else {
      expect(created.provider).toBe('cpu')
      expect(created.warnings).toHaveLength(1)
      expect(created.warnings[0]).toMatch(/^CUDA \(NVIDIA\) is not usable here, so add\.onnx runs on the CPU\./)
      expect(created.warnings[0]).toContain('npm run setup:cuda')
      expect(created.warnings[0]).toContain('CUDA 12 with cuDNN 9')
    }
    expect(await add(created.session)).toEqual([4, 6])
    await created.session.release()
  })

  it('throws `unavailable` instead when fallback is off', async () => {
    const cuda = (await listDevices()).providers.find((p) => p.provider === 'cuda')!
    const attempt = createSession(probeModel, { provider: 'cuda', fallback: false })
    if (cuda.usable) await expect(attempt).resolves.toMatchObject({ provider: 'cuda' })
    else await expect(attempt).rejects.toMatchObject({ code: 'unavailable', details: { provider: 'cuda' } })
  })

  it('falls back from DirectML and WebGPU where they cannot run, and `auto` picks quietly', async () => {
    const devices = await listDevices()
    for (const provider of ['dml', 'webgpu'] as const) {
      const created = await createSession(probeModel, { provider })
      const usable = devices.providers.find((p) => p.provider === provider)!.usable
      expect(created.provider).toBe(usable ? provider : 'cpu')
      expect(created.warnings).toHaveLength(usable ? 0 : 1)
      await created.session.release()
    }
    const auto = await createSession(probeModel, { provider: 'auto' })
    expect(auto.provider).toBe(devices.preferred)
    // Providers that are simply not installed are not news under `auto`.
    if (knownObstacle('cuda') !== null && knownObstacle('dml') !== null) expect(auto.warnings).toEqual([])
    await auto.session.release()
  })

  it('names the model when ONNX Runtime cannot load it', async () => {
    await expect(createSession(Uint8Array.from([1, 2, 3]), { name: 'broken.onnx' })).rejects.toMatchObject({
      code: 'bad_file',
      message: expect.stringMatching(/^ONNX Runtime could not load broken\.onnx: /),
    })
  })

  it('refuses a thread count below one', async () => {
    await expect(createSession(probeModel, { intraOpNumThreads: 0 })).rejects.toThrow(/intraOpNumThreads must be a whole number of threads of at least 1/)
  })

  it('embeds exactly the bytes of the fixture files as the probe and benchmark models', () => {
    expect(Buffer.from(probeModel).equals(fs.readFileSync(new URL('./fixtures/add.onnx', import.meta.url)))).toBe(true)
    expect(Buffer.from(benchModel).equals(fs.readFileSync(new URL('./fixtures/matmul-chain.onnx', import.meta.url)))).toBe(true)
  })
})
