import { encodeWithExternalData } from '../onnx/external'
import type { Model } from '../onnx/model'
import { createSession, type CreatedSession, type SessionRequest } from '../runtime/session'

/** How train-step and eval programs get their ONNX Runtime sessions. */
export interface ProgramSessionOptions extends SessionRequest {
  /** Initializers of at least this many bytes travel as external data (default: inline). */
  externalThreshold?: number
}

/**
 * A session for a program built in memory, on the provider the run asked for (cpu, cuda, dml,
 * webgpu, auto) with runtime/session.ts's fallback: a provider that cannot start gives a CPU
 * session and a warning sentence, never a failed run. Pool threads spin by default: a train step
 * is one long run of many short kernels, where waking sleeping threads costs more than it saves.
 * Every program of a run has the same name ("the train step"), so a fallback is one sentence.
 */
export async function programSession(model: Model, options: ProgramSessionOptions = {}): Promise<CreatedSession> {
  const { externalThreshold, ...request } = options
  const encoded = encodeWithExternalData(model, { threshold: externalThreshold ?? Infinity, location: 'model.onnx.data' })
  return createSession(encoded.model, {
    spinning: true,
    name: 'the train step',
    ...request,
    ort: { ...request.ort, ...(encoded.external ? { externalData: [{ path: encoded.external.path, data: encoded.external.data }] } : {}) },
  })
}
