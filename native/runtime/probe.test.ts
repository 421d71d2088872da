import { describe, expect, it } from 'vitest'
import { listDevices } from './probe'
import { missingSharedLibraries, readableOrtMessage } from './providers'

describe('listDevices', () => {
  it('lists every provider as usable or not, with the reason, and CPU always usable', async () => {
    const devices = await listDevices()
    expect(devices.providers.map((p) => p.provider)).toEqual(['cpu', 'cuda', 'dml', 'webgpu'])
    const cpu = devices.providers[0]
    expect(cpu).toMatchObject({ usable: true, reason: null, optIn: false })
    expect(cpu.probeMilliseconds).toBeGreaterThan(0)
    for (const p of devices.providers) {
      if (p.usable) expect(p.reason).toBeNull()
      else expect(p.reason).toMatch(/^[A-Z].*\.$/)
    }
    const cuda = devices.providers[1]
    if (!cuda.usable) {
      expect(cuda.reason).toContain('npm run setup:cuda')
      expect(cuda.reason).toContain('CUDA 12 with cuDNN 9')
    }
    const dml = devices.providers[2]
    if (devices.platform !== 'win32-x64') expect(dml).toMatchObject({ usable: false, reason: expect.stringMatching(/Windows x64 only/) })
    expect(devices.providers[3].optIn).toBe(true)
    expect(devices.providers.find((p) => p.provider === devices.preferred)?.usable).toBe(true)
  })

  it('probes once per process unless asked to refresh', async () => {
    const first = await listDevices()
    expect(await listDevices()).toBe(first)
    const refreshed = await listDevices({ refresh: true })
    expect(refreshed).not.toBe(first)
    expect(refreshed.providers.map((p) => p.usable)).toEqual(first.providers.map((p) => p.usable))
  })
})

describe('provider messages', () => {
  it('names the shared libraries a loader could not open', () => {
    const log = 'Failed to load library libonnxruntime_providers_cuda.so with error: libcudnn.so.9: cannot open shared object file: No such file or directory'
    expect(missingSharedLibraries(log)).toEqual(['libcudnn.so.9'])
  })

  it("drops ORT's source location from its messages", () => {
    const raw = '/onnxruntime_src/x/webgpu_context.cc:136 f()::<lambda()> status == Success was false. Failed to get a WebGPU adapter: No supported adapters\n'
    expect(readableOrtMessage(raw)).toBe('Failed to get a WebGPU adapter: No supported adapters.')
    expect(readableOrtMessage('/onnxruntime_src/x/y.cc:12 Something broke')).toBe('Something broke.')
  })
})
