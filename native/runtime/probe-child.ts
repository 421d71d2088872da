/**
 * One device probe, run in its own short-lived process by probe.ts:
 *   node --import tsx native/runtime/probe-child.ts PROVIDER   (from source)
 *   node out/main/probe-child.js PROVIDER                      (the build; Electron's binary with ELECTRON_RUN_AS_NODE)
 * Creates the probe model's session on PROVIDER (no fallback), runs it once, checks the sum and
 * prints one JSON line: {"ok":true,"milliseconds":N} or {"ok":false,"message":"...","ortMessage":"..."}.
 * A provider that crashes while loading takes down this process only; ORT's own log lines go to
 * this process's stderr, where the parent reads the names of missing libraries.
 */
import type { ProviderName } from '../api/devices'
import { NashlabError } from '../api/errors'
import { ort } from './ort'
import { probeModel } from './probe-model'
import { createSession } from './session'

const provider = process.argv[2] as ProviderName
const started = performance.now()
try {
  const { session } = await createSession(probeModel, { provider, fallback: false, intraOpNumThreads: 1, name: 'the probe model' })
  const a = new ort.Tensor('float32', Float32Array.from([1, 2, 3]), [3])
  const b = new ort.Tensor('float32', Float32Array.from([10, 20, 30]), [3])
  const { y } = await session.run({ a, b })
  const sum = Array.from(y.data as Float32Array)
  await session.release()
  if (sum.join() !== '11,22,33') throw new Error(`the probe model computed [${sum.join(', ')}] instead of [11, 22, 33]`)
  console.log(JSON.stringify({ ok: true, milliseconds: performance.now() - started }))
} catch (error) {
  const message = error instanceof Error ? error.message : String(error)
  const ortMessage = error instanceof NashlabError ? error.details?.ortMessage : undefined
  console.log(JSON.stringify({ ok: false, message, ...(ortMessage ? { ortMessage } : {}) }))
}
