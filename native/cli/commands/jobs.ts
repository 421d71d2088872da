import type { JobSummary } from '../../api/contract'
import { requiredPositional, stringFlag } from '../args'
import type { CliCommand, CliContext, ParsedArgs } from '../command'
import { formatSeconds } from '../progress'
import { callServer } from '../remote'

/**
 * Jobs live in the engine process that started them. Without --server these commands ask this
 * command's own engine (which has none yet); with --server they ask a running `nashlab serve`.
 */
function jobsCall<M extends 'jobs.list' | 'jobs.cancel' | 'jobs.pause' | 'jobs.resume'>(
  args: ParsedArgs,
  ctx: CliContext,
  method: M,
  input: M extends 'jobs.list' ? Record<string, never> : { id: string },
) {
  const server = stringFlag(args, 'server')
  return server ? callServer(server, method, input as never) : ctx.engine().call(method, input as never)
}

export function jobLine(j: JobSummary): string {
  const p = j.progress
  const count = p ? (p.total !== null ? `${p.done}/${p.total} ${p.unit}` : `${p.done} ${p.unit}`) : ''
  const rate = p?.rate ? ` ${p.rate.toPrecision(3)} ${p.unit}/s` : ''
  const eta = p?.etaSeconds !== null && p?.etaSeconds !== undefined && j.status === 'running' ? ` ETA ${formatSeconds(p.etaSeconds)}` : ''
  const error = j.error && j.status === 'failed' ? `  ${j.error.message}` : ''
  return `${j.id.padStart(4)}  ${j.status.padEnd(9)}  ${j.label}  ${count}${rate}${eta}${error}`
}

const noJobs =
  'No jobs in this engine. Jobs live in the engine that started them: pass --server URL (as "nashlab serve" printed it) to see a running workbench\'s jobs.'

const actOnJob = (verb: 'cancel' | 'pause' | 'resume', summary: string): CliCommand => ({
  words: ['jobs', verb],
  usage: `nashlab jobs ${verb} ID [--server URL] [--json]`,
  summary,
  run: (args, ctx) => jobsCall(args, ctx, `jobs.${verb}`, { id: requiredPositional(args, 0, 'job id') }),
  format: jobLine,
})

export const jobCommands: CliCommand[] = [
  {
    words: ['jobs', 'list'],
    usage: 'nashlab jobs list [--server URL] [--json]',
    summary: 'List the jobs of an engine (with --server: of a running "nashlab serve"), newest first',
    run: (args, ctx) => jobsCall(args, ctx, 'jobs.list', {}),
    format: (jobs: JobSummary[]) => (jobs.length === 0 ? noJobs : jobs.map(jobLine).join('\n')),
  },
  actOnJob('pause', 'Pause a running job at its next step'),
  actOnJob('resume', 'Resume a paused job'),
  actOnJob('cancel', 'Cancel a queued, running or paused job'),
]
