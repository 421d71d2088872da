import os from 'node:os'
import path from 'node:path'
import type { InferenceSession } from 'onnxruntime-node'
import type { ProviderChoice, ProviderName } from '../api/devices'
import { NashlabError } from '../api/errors'
import { ort } from './ort'
import { autoOrder, executionProvider, knownObstacle, providerLabels, startFailure } from './providers'

export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all'

/** ORT options this module sets itself; the rest may be passed through `ort`. */
type OwnedOption = 'executionProviders' | 'intraOpNumThreads' | 'interOpNumThreads' | 'graphOptimizationLevel' | 'executionMode'

export interface SessionRequest {
  /** Which provider to run on; default `cpu`. `auto` picks CUDA, then DirectML, then CPU. */
  provider?: ProviderChoice
  /** GPU index for CUDA and DirectML; default 0. */
  deviceId?: number
  /** Threads inside one operator (matmuls, elementwise); default: the number of cores. */
  intraOpNumThreads?: number
  /** Threads running independent operators at once; default 1 (graphs run sequentially). */
  interOpNumThreads?: number
  /** ORT's graph rewrites (fusions, constant folding); default `all`. */
  graphOptimizationLevel?: GraphOptimizationLevel
  /**
   * Let idle ORT pool threads spin instead of sleeping (`allow_spinning`); default false.
   * Measured on 2 cores (16 MatMul+Tanh layers, n × n): spinning made n = 64 runs 35% faster
   * (0.27 → 0.17 ms) and did nothing at n = 256, but with 2 ms of JavaScript between runs it kept a
   * core busy doing nothing (process CPU 0.19 → 1.11 cores). Engine sessions interleave runs with
   * JavaScript (sampling, batching, the UI's process), so they sleep; a tight benchmark loop may
   * turn spinning on.
   */
  spinning?: boolean
  /** When the provider asked for cannot start, run on the CPU with a warning (default) or throw `unavailable`. */
  fallback?: boolean
  /** What to call the model in messages; default: the file name, or "the model". */
  name?: string
  /** Other ONNX Runtime options, passed as they are (externalData, preferredOutputLocation, enableProfiling, …). */
  ort?: Omit<InferenceSession.SessionOptions, OwnedOption>
}

export interface CreatedSession {
  session: InferenceSession
  /** The provider the session runs on. */
  provider: ProviderName
  requested: ProviderChoice
  /** Sentences to show the user (a fallback to CPU and why); empty when all went as asked. */
  warnings: string[]
  /** The options the session was created with. */
  options: InferenceSession.SessionOptions
}

/**
 * The one place the engine creates ONNX Runtime sessions: provider choice with fallback, thread
 * counts, optimisation level, spinning. ORT 1.30 does not fall back by itself (`['cuda', 'cpu']`
 * fails when CUDA cannot load), so each provider is tried on its own and CPU comes last.
 */
export async function createSession(model: Uint8Array | string, request: SessionRequest = {}): Promise<CreatedSession> {
  const requested = request.provider ?? 'cpu'
  const name = request.name ?? (typeof model === 'string' ? path.basename(model) : 'the model')
  const options = sessionOptions(request)
  const warnings: string[] = []
  const candidates = requested === 'auto' ? autoOrder : [requested]
  for (const provider of candidates) {
    if (provider === 'cpu') break
    const obstacle = knownObstacle(provider)
    let reason = obstacle
    let ortMessage: string | undefined
    if (obstacle === null) {
      const withProvider = { ...options, executionProviders: [executionProvider(provider, request.deviceId)] }
      try {
        return { session: await ort.InferenceSession.create(model as Uint8Array, withProvider), provider, requested, warnings, options: withProvider }
      } catch (error) {
        ortMessage = errorMessage(error)
        reason = startFailure(provider, ortMessage)
      }
    }
    // Under `auto` a provider that is simply not installed is the normal case, not news.
    if (requested === 'auto' && obstacle !== null) continue
    if (request.fallback === false) {
      throw new NashlabError('unavailable', `${providerLabels[provider]} is not usable here. ${reason}`, { provider, ...(ortMessage ? { ortMessage } : {}) })
    }
    warnings.push(`${providerLabels[provider]} is not usable here, so ${name} runs on the CPU. ${reason}`)
  }
  const onCpu = { ...options, executionProviders: [executionProvider('cpu')] }
  try {
    return { session: await ort.InferenceSession.create(model as Uint8Array, onCpu), provider: 'cpu', requested, warnings, options: onCpu }
  } catch (error) {
    throw new NashlabError('bad_file', `ONNX Runtime could not load ${name}: ${errorMessage(error)}`, {
      ...(typeof model === 'string' ? { file: model } : {}),
    })
  }
}

/** The resolved ORT options of a request (everything but the provider). */
export function sessionOptions(request: SessionRequest): InferenceSession.SessionOptions {
  const intra = request.intraOpNumThreads ?? os.availableParallelism()
  const inter = request.interOpNumThreads ?? 1
  for (const [field, value] of [
    ['intraOpNumThreads', intra],
    ['interOpNumThreads', inter],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new NashlabError('invalid_input', `${field} must be a whole number of threads of at least 1, got ${value}.`, { field, value })
    }
  }
  const spin = request.spinning ? '1' : '0'
  const extra = request.ort?.extra as Record<string, Record<string, Record<string, string>>> | undefined
  return {
    ...request.ort,
    intraOpNumThreads: intra,
    interOpNumThreads: inter,
    graphOptimizationLevel: request.graphOptimizationLevel ?? 'all',
    executionMode: inter > 1 ? 'parallel' : 'sequential',
    extra: {
      ...extra,
      session: {
        ...extra?.session,
        intra_op: { ...extra?.session?.intra_op, allow_spinning: spin },
        inter_op: { ...extra?.session?.inter_op, allow_spinning: spin },
      },
    },
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
