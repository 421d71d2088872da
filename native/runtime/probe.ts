import { spawn } from 'node:child_process'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import type { DeviceList, ProviderName, ProviderStatus } from '../api/devices'
import { autoOrder, knownObstacle, optInProviders, providerLabels, providerNames, readableOrtMessage, startFailure } from './providers'
import { builtEntry, childEnvironment, typescriptChildArgs } from './typescript-child'

/** File name of the probe child electron-vite's main build emits beside the engine's bundle. */
export const BUILT_PROBE_CHILD = 'probe-child.js'

/**
 * Node arguments that start one probe for code loaded from `moduleUrl` (the provider name follows):
 * the built probe child when it sits beside it (the engine runs from electron-vite's output, where
 * there is no TypeScript and no tsx), else probe-child.ts through tsx's loader.
 */
export function probeChildArgs(moduleUrl: URL | string): string[] {
  const built = builtEntry(BUILT_PROBE_CHILD, moduleUrl)
  if (built) return [fileURLToPath(built)]
  return [...typescriptChildArgs(), fileURLToPath(new URL('./probe-child.ts', moduleUrl))]
}

/** A probe that has not answered by then is reported as not usable (a GPU driver can hang). */
const probeTimeoutMs = 60_000

let cached: Promise<DeviceList> | undefined

/**
 * Every execution provider, usable or not and why. Each provider whose use is not ruled out in
 * advance (platform, build, missing libraries) is probed by creating and running a tiny session on it
 * in a child process of its own, so a driver that crashes while loading cannot take the engine down.
 * The answer is cached for the life of the process; `refresh` probes again (after `npm run setup:cuda`).
 */
export function listDevices(options: { refresh?: boolean } = {}): Promise<DeviceList> {
  if (options.refresh || !cached) {
    const probing = probeAll()
    // A probe run that failed as a whole is not kept: the next call tries again.
    probing.catch(() => {
      if (cached === probing) cached = undefined
    })
    cached = probing
  }
  return cached
}

async function probeAll(): Promise<DeviceList> {
  const providers = await Promise.all(providerNames.map(probeProvider))
  const usable = new Set(providers.filter((p) => p.usable).map((p) => p.provider))
  return {
    platform: `${process.platform}-${process.arch}`,
    cores: os.availableParallelism(),
    preferred: autoOrder.find((p) => usable.has(p)) ?? 'cpu',
    providers,
    probedAt: new Date().toISOString(),
  }
}

async function probeProvider(provider: ProviderName): Promise<ProviderStatus> {
  const status = { provider, label: providerLabels[provider], optIn: optInProviders.has(provider) }
  const obstacle = knownObstacle(provider)
  if (obstacle !== null) return { ...status, usable: false, reason: obstacle, probeMilliseconds: null }
  const answer = await runProbe(provider)
  return { ...status, usable: answer.ok, reason: answer.ok ? null : answer.reason, probeMilliseconds: answer.ok ? answer.milliseconds : null }
}

type ProbeAnswer = { ok: true; milliseconds: number } | { ok: false; reason: string }

function runProbe(provider: ProviderName): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...probeChildArgs(import.meta.url), provider], {
      // ORT's error lines name the library that did not load; the child's stderr is read for them.
      env: childEnvironment({ NASHLAB_ORT_LOG: 'error' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), probeTimeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      resolve({ ok: false, reason: `The ${providerLabels[provider]} probe could not start a process: ${error.message}.` })
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const line = stdout.trim().split('\n').pop() ?? ''
      let reply: { ok: boolean; milliseconds?: number; message?: string; ortMessage?: string } | undefined
      try {
        reply = JSON.parse(line)
      } catch {
        reply = undefined
      }
      if (reply?.ok) return resolve({ ok: true, milliseconds: Math.round((reply.milliseconds ?? 0) * 10) / 10 })
      if (reply) return resolve({ ok: false, reason: reply.ortMessage ? startFailure(provider, reply.ortMessage, stderr) : (reply.message ?? 'unknown') })
      const how = signal === 'SIGKILL' ? `did not answer within ${probeTimeoutMs / 1000} s` : `stopped (${signal ?? `exit code ${code}`})`
      const said = stderr.trim() ? `: ${readableOrtMessage(stderr.trim().split('\n').slice(-3).join(' '))}` : '.'
      resolve({ ok: false, reason: `Loading ${providerLabels[provider]} crashed its probe process, which ${how}${said}` })
    })
  })
}
