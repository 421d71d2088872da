import type { ConfigField, RunDetail, RunOptions, RunSummary } from '../../api/contract'
import { NashlabError } from '../../api/errors'
import { requiredPositional, stringFlag } from '../args'
import type { CliCommand, CliContext, ParsedArgs } from '../command'
import { callServer } from '../remote'
import { followRun } from './nashmd'

/**
 * `nashlab runs …`: training runs as the database records them. `resume` continues a cancelled,
 * failed or interrupted run in this process from its last checkpoint and follows it like
 * `train nashmd`; `cancel` stops a run wherever it trains (this engine, a running `nashlab serve`
 * with --server, or another process through the run's cancel file).
 */
function runArg(args: ParsedArgs): number {
  const raw = requiredPositional(args, 0, 'run id')
  const run = Number(raw)
  if (!Number.isInteger(run) || run < 1) throw new NashlabError('invalid_input', `A run id is a whole number, got "${raw}".`, { argument: 'run' })
  return run
}

function call<M extends 'runs.list' | 'runs.show' | 'runs.cancel' | 'runs.pause'>(args: ParsedArgs, ctx: CliContext, method: M, input: M extends 'runs.list' ? Record<string, never> : { run: number }) {
  const server = stringFlag(args, 'server')
  return server ? callServer(server, method, input as never) : ctx.engine().call(method, input as never)
}

export function runLine(r: RunSummary): string {
  const steps = r.totalSteps !== null ? `${r.lastStep ?? 0}/${r.totalSteps}` : `${r.lastStep ?? 0}`
  const error = r.error && r.status === 'failed' ? `  ${r.error}` : ''
  return `${String(r.id).padStart(4)}  ${r.algorithm.padEnd(13)}  ${r.status.padEnd(9)}  ${steps.padStart(11)} steps  ${r.createdAt}${error}`
}

function fieldLine(f: ConfigField): string {
  const range = f.minimum !== undefined || f.maximum !== undefined ? ` [${f.minimum ?? ''}, ${f.maximum ?? ''}${f.exclusiveMaximum ? ')' : ']'}` : ''
  const value = f.required ? ' (required)' : f.default !== undefined ? ` = ${JSON.stringify(f.default)}` : ''
  const choices = f.choices ? ` {${f.choices.join('|')}}` : ''
  return `  --${f.name}${value}${choices}${range}\n      ${f.help}`
}

export const runCommands: CliCommand[] = [
  {
    words: ['runs', 'list'],
    usage: 'nashlab runs list [--server URL] [--json]',
    summary: 'List training runs with their status and progress, newest first',
    run: (args, ctx) => call(args, ctx, 'runs.list', {}),
    format: (runs: RunSummary[]) => (runs.length === 0 ? 'No runs yet. Start one with "nashlab train nashmd --config FILE".' : runs.map(runLine).join('\n')),
  },
  {
    words: ['runs', 'show'],
    usage: 'nashlab runs show RUN [--server URL] [--json]',
    summary: 'One run: its full resolved config, checkpoints and metric names',
    run: (args, ctx) => call(args, ctx, 'runs.show', { run: runArg(args) }),
    format: (r: RunDetail) =>
      [
        runLine(r),
        `config: ${JSON.stringify(r.config)}`,
        `checkpoints: ${r.checkpoints.length === 0 ? 'none' : r.checkpoints.map((c) => `step ${c.step} (${c.path})`).join(', ')}`,
        `metrics: ${r.metricNames.join(', ')}`,
      ].join('\n'),
  },
  {
    words: ['runs', 'resume'],
    usage: 'nashlab runs resume RUN [--json]',
    summary: 'Continue a cancelled, failed or interrupted run from its last checkpoint and follow it',
    async run(args, ctx) {
      const run = runArg(args)
      await ctx.engine().call('runs.resume', { run })
      await followRun(ctx, run)
      return undefined
    },
  },
  {
    words: ['runs', 'cancel'],
    usage: 'nashlab runs cancel RUN [--server URL] [--json]',
    summary: 'Stop a run at its next step, after a checkpoint (wherever it trains)',
    run: (args, ctx) => call(args, ctx, 'runs.cancel', { run: runArg(args) }),
    format: runLine,
  },
  {
    words: ['runs', 'pause'],
    usage: 'nashlab runs pause RUN --server URL [--json]',
    summary: 'Pause a run of a running workbench at its next step',
    run: (args, ctx) => call(args, ctx, 'runs.pause', { run: runArg(args) }),
    format: runLine,
  },
  {
    words: ['runs', 'options'],
    usage: 'nashlab runs options [--json]',
    summary: 'The fields of a Nash-MD-PG run config, with defaults, ranges and help',
    run: (_args, ctx) => ctx.engine().call('runs.options', {}),
    format: (o: RunOptions) => [...o.algorithms.map((a) => `${a.name.padEnd(13)} ${a.summary}`), '', ...o.fields.map(fieldLine)].join('\n'),
  },
]
