/**
 * What Nashlab knows about each ONNX Runtime execution provider before trying it: its name, how
 * to ask ORT for it, where it can work at all, and the sentence that tells a user what is missing.
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { InferenceSession } from 'onnxruntime-node'
import type { ProviderName } from '../api/devices'
import { ort } from './ort'

export const providerNames: readonly ProviderName[] = ['cpu', 'cuda', 'dml', 'webgpu']

export const providerLabels: Record<ProviderName, string> = {
  cpu: 'CPU',
  cuda: 'CUDA (NVIDIA)',
  dml: 'DirectML',
  webgpu: 'WebGPU',
}

/**
 * Providers `auto` never picks. WebGPU is opt-in: it is bundled on Linux x64 but young in ORT and
 * slower than CPU for small graphs; its one advantage from Node is outputs that stay on the device.
 */
export const optInProviders: ReadonlySet<ProviderName> = new Set(['webgpu'])

/** The order `auto` tries; CPU always works and ends the list. */
export const autoOrder: readonly ProviderName[] = ['cuda', 'dml', 'cpu']

/** What the CUDA provider needs, said the same way everywhere (devices list, fallback warnings). */
export const cudaRequirements =
  "CUDA needs onnxruntime-node's CUDA 12 provider libraries (install them with `npm run setup:cuda`) and CUDA 12 with cuDNN 9 on this machine"

const platform = `${process.platform}-${process.arch}`

/** The folder holding onnxruntime-node's native binding and, after `npm run setup:cuda`, the CUDA libraries. */
export function ortBinaryFolder(): string {
  const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json')
  return path.join(path.dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch)
}

/** File names of the CUDA provider libraries `npm run setup:cuda` installs. */
function cudaLibraryFiles(): string[] {
  return process.platform === 'win32'
    ? ['onnxruntime_providers_shared.dll', 'onnxruntime_providers_cuda.dll']
    : ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so']
}

/** The CUDA provider library files that are not installed (empty when all are there). */
export function missingCudaLibraries(): string[] {
  const folder = ortBinaryFolder()
  return cudaLibraryFiles().filter((file) => !fs.existsSync(path.join(folder, file)))
}

let backends: Set<string> | undefined
/** Providers this onnxruntime-node build knows (bundled or loadable), from the binding itself. */
function supportedBackends(): Set<string> {
  return (backends ??= new Set(ort.listSupportedBackends().map((b) => b.name)))
}

/**
 * Why `provider` cannot work here, when that is known without trying it (wrong platform, a build
 * without it, libraries not installed); null when only a real session can tell.
 */
export function knownObstacle(provider: ProviderName): string | null {
  if (provider === 'cpu') return null
  if (provider === 'dml' && platform !== 'win32-x64') return `DirectML runs on Windows x64 only; this machine is ${platform}.`
  if (!supportedBackends().has(provider)) {
    return `onnxruntime-node 1.30.0 for ${platform} has no ${providerLabels[provider]} provider.`
  }
  if (provider === 'cuda') {
    const missing = missingCudaLibraries()
    if (missing.length > 0) return `${cudaRequirements}; the provider libraries are not installed (${missing.join(', ')} missing).`
  }
  return null
}

/**
 * The sentence for a provider that was tried and did not start. `ortMessage` is the exception ORT
 * threw; `nativeLog` is what ORT wrote to stderr meanwhile (the device probe captures it), which
 * often names the missing system library.
 */
export function startFailure(provider: ProviderName, ortMessage: string, nativeLog = ''): string {
  const said = readableOrtMessage(ortMessage)
  const libraries = missingSharedLibraries(`${nativeLog}\n${ortMessage}`)
  const missing = libraries.length > 0 ? ` (not found: ${libraries.join(', ')})` : ''
  if (provider === 'cuda') return `${cudaRequirements}; the provider libraries are installed but CUDA did not start${missing}: ${said}`
  if (provider === 'webgpu') return `WebGPU did not start; it needs a GPU with Vulkan, Metal or Direct3D 12 drivers${missing}: ${said}`
  return `${providerLabels[provider]} did not start${missing}: ${said}`
}

/** Shared libraries a loader said it could not open, e.g. `libcudnn.so.9` (Linux dlopen wording). */
export function missingSharedLibraries(text: string): string[] {
  const found = new Set<string>()
  for (const match of text.matchAll(/([\w.+-]+\.so(?:\.\d+)*): cannot open shared object file/g)) found.add(match[1])
  return [...found]
}

/** The ORT session option entry for a provider. */
export function executionProvider(provider: ProviderName, deviceId = 0): InferenceSession.ExecutionProviderConfig {
  switch (provider) {
    case 'cpu':
      return 'cpu'
    case 'cuda':
      return { name: 'cuda', deviceId }
    case 'dml':
      return { name: 'dml', deviceId }
    case 'webgpu':
      return 'webgpu'
  }
}

/**
 * ORT's message without its source location: "/onnxruntime_src/…/x.cc:136 f()::<lambda()> cond was
 * false. Failed to get a WebGPU adapter: No supported adapters" → "Failed to get a WebGPU adapter: …".
 */
export function readableOrtMessage(message: string): string {
  const line = message.split('\n').find((l) => l.trim() !== '') ?? message
  const text = (/ was false\.\s*(.+)$/.exec(line)?.[1] ?? line.replace(/^\S+\.(?:cc|cpp|h):\d+\s+/, '')).trim().replace(/\.$/, '')
  return `${text.length > 300 ? `${text.slice(0, 300)}…` : text}.`
}
