import type { BenchResult, DeviceList, ProviderChoice } from '../../api/contract'
import { numberFlag, stringFlag } from '../args'
import type { CliCommand } from '../command'
import { listDevices } from '../../runtime/probe'

function formatDevices(d: DeviceList): string {
  const preferred = d.providers.find((p) => p.provider === d.preferred)!
  const width = Math.max(...d.providers.map((p) => p.label.length))
  return [
    `Execution providers on ${d.platform} (${d.cores} cores); "auto" picks ${preferred.label}.`,
    ...d.providers.map((p) => {
      const state = p.usable ? `usable${p.probeMilliseconds !== null ? ` (probe ${p.probeMilliseconds} ms)` : ''}` : 'not usable'
      const optIn = p.optIn ? ', only when asked for by name' : ''
      return `  ${p.provider.padEnd(7)} ${p.label.padEnd(width)}  ${state}${optIn}${p.reason ? `\n          ${p.reason}` : ''}`
    }),
  ].join('\n')
}

function formatBench(r: BenchResult): string {
  return [
    ...r.warnings.map((w) => `warning: ${w}`),
    `${r.provider}: ${r.millisecondsPerRun.toFixed(2)} ms per run, ${r.gflops.toFixed(1)} GFLOP/s (16 matmuls of ${r.size} × ${r.size}, median of ${r.runs} runs, ${r.intraOpNumThreads} threads)`,
  ].join('\n')
}

export const deviceCommands: CliCommand[] = [
  {
    words: ['devices'],
    usage: 'nashlab devices [--refresh] [--json]',
    summary: 'List execution providers (CPU, CUDA, DirectML, WebGPU), each usable or not with the reason',
    // The same function devices.list serves; called directly because it needs no database.
    run: (args) => listDevices({ refresh: args.flags.refresh === true }),
    format: formatDevices,
  },
  {
    words: ['devices', 'bench'],
    usage: 'nashlab devices bench [--provider auto|cpu|cuda|dml|webgpu] [--size N] [--runs N] [--threads N] [--json]',
    summary: 'Time a chain of matmuls on a provider in a worker job (falls back to CPU with a warning)',
    run: (args, ctx) => {
      const engine = ctx.engine()
      const unsubscribe = engine.events.on('jobs.progress', ctx.progress)
      return engine
        .call(
          'devices.bench',
          {
            provider: stringFlag(args, 'provider') as ProviderChoice | undefined,
            size: numberFlag(args, 'size'),
            runs: numberFlag(args, 'runs'),
            threads: numberFlag(args, 'threads'),
          },
          { signal: ctx.signal },
        )
        .finally(unsubscribe)
    },
    format: formatBench,
  },
]
