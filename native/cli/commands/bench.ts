import path from 'node:path'
import { stringFlag } from '../args'
import type { CliCommand } from '../command'
import { formatTable, runBenchHere, runBenches, type BenchRun } from '../../bench/runner'

export const benchCommands: CliCommand[] = [
  {
    words: ['bench'],
    usage: 'nashlab bench [--only NAME|GROUP] [--out FILE] [--json]',
    summary: 'Run the benchmarks (each in its own process), print a table and write the results as JSON (default bench/results.json of the checkout, else of the working folder)',
    run: async (args, ctx): Promise<BenchRun> => {
      const only = stringFlag(args, 'only')
      if (args.flags['in-process'] && only) return { results: [await runBenchHere(only)] }
      const out = stringFlag(args, 'out')
      return runBenches(
        only,
        (r) => {
          if (!ctx.json) process.stderr.write(`done: ${r.name}\n`)
        },
        out ? path.resolve(out) : undefined,
      )
    },
    format: (r: BenchRun) => `${formatTable(r.results)}${r.written ? `\n\nWrote ${r.written}.` : ''}`,
  },
]
