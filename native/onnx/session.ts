import * as ort from 'onnxruntime-node'
import { encodeWithExternalData } from './external'
import type { Model } from './model'

/** Session options Nashlab's engine uses on the CPU: 2 threads, every graph optimisation. */
export interface CpuSessionOptions {
  intraOpNumThreads?: number
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all'
  /** Initializers of at least this many bytes are handed over as external data (default: inline). */
  externalThreshold?: number
  /** Write the optimised graph here (for profiling). */
  optimizedModelFilePath?: string
  enableProfiling?: boolean
  profileFilePrefix?: string
}

/**
 * An onnxruntime-node CPU session for an in-memory model. Large tensors can travel as external
 * data (`InferenceSession.create(bytes, { externalData: [{ path, data }] })`).
 */
export async function cpuSession(model: Model, options: CpuSessionOptions = {}): Promise<ort.InferenceSession> {
  const encoded = encodeWithExternalData(model, { threshold: options.externalThreshold ?? Infinity, location: 'model.onnx.data' })
  return ort.InferenceSession.create(encoded.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: options.intraOpNumThreads ?? 2,
    interOpNumThreads: 1,
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    ...(options.optimizedModelFilePath ? { optimizedModelFilePath: options.optimizedModelFilePath } : {}),
    ...(options.enableProfiling ? { enableProfiling: true, profileFilePrefix: options.profileFilePrefix } : {}),
    ...(encoded.external ? { externalData: [{ path: encoded.external.path, data: encoded.external.data }] } : {}),
  })
}
