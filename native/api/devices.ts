import { z } from 'zod'
import { method } from './define'

/** ONNX Runtime execution providers Nashlab can run on. */
export type ProviderName = 'cpu' | 'cuda' | 'dml' | 'webgpu'
export const providerName = z.enum(['cpu', 'cuda', 'dml', 'webgpu'])

/** What a caller may ask for: one provider, or `auto` (the best usable one; WebGPU only on request). */
export type ProviderChoice = ProviderName | 'auto'
export const providerChoice = z.enum(['auto', 'cpu', 'cuda', 'dml', 'webgpu'])

export interface ProviderStatus {
  provider: ProviderName
  /** Human name: "CPU", "CUDA (NVIDIA)", "DirectML", "WebGPU". */
  label: string
  /** A tiny session was created and run on it and gave the right answer. */
  usable: boolean
  /** Why it is not usable (a sentence saying what to install or where it works), null when usable. */
  reason: string | null
  /** Never chosen by `auto`; used only when asked for by name. */
  optIn: boolean
  /** Milliseconds the probe took to create and run its session (null when the probe could not run). */
  probeMilliseconds: number | null
}

export interface DeviceList {
  platform: string
  cores: number
  /** What `auto` picks here. */
  preferred: ProviderName
  providers: ProviderStatus[]
  /** When the probes ran (ISO time); later calls reuse them until `refresh`. */
  probedAt: string
}

export interface BenchInput {
  provider: ProviderChoice
  /** n of the (n, n) matrices. */
  size: number
  runs: number
  /** Intra-op threads; default: the number of cores. */
  threads?: number
}

export interface BenchResult {
  /** The provider the benchmark ran on (CPU after a fallback). */
  provider: ProviderName
  requested: ProviderChoice
  /** Fallback warnings, as createSession gave them. */
  warnings: string[]
  size: number
  runs: number
  intraOpNumThreads: number
  /** Median milliseconds of one run (16 matmuls of n × n by n × n, with tanh between). */
  millisecondsPerRun: number
  /** 32 n³ flop per run over the median time, in 10⁹ flop per second. */
  gflops: number
  /** The first output value of the last run (the work cannot have been skipped). */
  checksum: number
}

export const deviceMethods = {
  'devices.list': method<DeviceList>()(
    z.object({ refresh: z.boolean().default(false) }).strict(),
    'Execution providers on this machine, each usable or not with the reason',
  ),
  'devices.bench': method<BenchResult>()(
    z
      .object({
        provider: providerChoice.default('cpu'),
        size: z.number().int().min(16).max(4096).default(512),
        runs: z.number().int().min(1).max(100_000).default(20),
        threads: z.number().int().min(1).max(1024).optional(),
      })
      .strict(),
    'Time a chain of matmuls on one provider, as a job (progress, pause, cancel)',
  ),
}
