import { stringFlag } from '../args'
import type { CliCommand } from '../command'
import { formatTable, runBenchHere, runBenches, type BenchRun } from '../../bench/runner'

export const benchCommands: CliCommand[] = [
  {
    words: ['bench'],
    usage: 'nashlab bench [--only NAME|GROUP] [--json]',
    summary: 'Run the benchmarks (each in its own process), print a table and write bench/results.json',
    run: async (args, ctx): Promise<BenchRun> => {
      const only = stringFlag(args, 'only')
      if (args.flags['in-process'] && only) return { results: [await runBenchHere(only)] }
      return runBenches(only, (r) => {
        if (!ctx.json) process.stderr.write(`done: ${r.name}\n`)
      })
    },
    format: (r: BenchRun) => `${formatTable(r.results)}${r.written ? `\n\nWrote ${r.written}.` : ''}`,
  },
]
