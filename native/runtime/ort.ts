/**
 * The one import of onnxruntime-node. Every session in the engine (main thread, job workers, the
 * device probe) comes through here, so ONNX Runtime's own logger is configured before its first use.
 *
 * ORT writes its log straight to stderr from native code. Its errors also come back as exceptions,
 * which the engine turns into sentences (provider fallbacks, failed runs), so by default only fatal
 * lines are printed; `NASHLAB_ORT_LOG=verbose|info|warning|error|fatal` shows more. The level is
 * fixed by the first session a process creates.
 */
import ort from 'onnxruntime-node'

const levels = ['verbose', 'info', 'warning', 'error', 'fatal'] as const
type LogLevel = (typeof levels)[number]

/** The ORT log level asked for in the environment, or `fallback`. */
export function ortLogLevel(fallback: LogLevel = 'fatal'): LogLevel {
  const asked = process.env.NASHLAB_ORT_LOG
  return levels.includes(asked as LogLevel) ? (asked as LogLevel) : fallback
}

ort.env.logLevel = ortLogLevel()

export { ort }
export type { InferenceSession, Tensor } from 'onnxruntime-node'
