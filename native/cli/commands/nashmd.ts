import fs from 'node:fs'
import type { ConfigField, Input, RunSummary } from '../../api/contract'
import { NashlabError } from '../../api/errors'
import { NashTrainService } from '../../train/nashmd/service'
import { runOptions } from '../../train/nashmd/options'
import { stringFlag } from '../args'
import type { CliCommand, CliContext, ParsedArgs } from '../command'

/**
 * `nashlab train nashmd`: start a Nash-MD-PG-family run in this process and follow it to the end.
 * With --json, stdout carries one object per logged step, {"type":"step","run","step","metrics"},
 * then one summary, {"type":"summary","run","status","steps","checkpoint","model"}; without it, a
 * progress bar on stderr and a last line. Ctrl-C cancels the run after a checkpoint (resume it with
 * `nashlab runs resume RUN`).
 */

/** `--max-tokens` and `--maxTokens` both name the field maxTokens. */
function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
}

/** A flag's value as its field wants it. */
function coerce(field: ConfigField, raw: string | true): unknown {
  const flag = `--${field.name}`
  if (raw === true) throw new NashlabError('invalid_input', `${flag} needs a value.`, { flag: field.name })
  if (field.kind === 'number' || field.kind === 'integer') {
    const n = Number(raw)
    if (!Number.isFinite(n)) throw new NashlabError('invalid_input', `${flag} must be a number, got "${raw}".`, { flag: field.name })
    return n
  }
  if (field.kind === 'model') return /^\d+$/.test(raw) ? Number(raw) : raw
  if (field.kind === 'pieces') {
    // "0:0.375,100:0.25": β from step 0, then from step 100.
    return raw.split(',').map((piece) => {
      const [step, beta] = piece.split(':').map(Number)
      if (!Number.isInteger(step) || !Number.isFinite(beta)) throw new NashlabError('invalid_input', `${flag} takes STEP:BETA pairs separated by commas (e.g. 0:0.375,100:0.25), got "${piece}".`, { flag: field.name })
      return { step, beta }
    })
  }
  return raw
}

/** The run config from --config FILE (JSON), then --algo and one flag per field on top. */
export function configFromArgs(args: ParsedArgs): Record<string, unknown> {
  const file = stringFlag(args, 'config')
  let config: Record<string, unknown> = {}
  if (file) {
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch (error) {
      throw new NashlabError('not_found', `Cannot read the config file ${file}: ${(error as Error).message}`, { file })
    }
    try {
      config = JSON.parse(text) as Record<string, unknown>
    } catch (error) {
      throw new NashlabError('invalid_input', `The config file ${file} is not valid JSON: ${(error as Error).message}`, { file })
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new NashlabError('invalid_input', `The config file ${file} must hold one JSON object.`, { file })
  }
  const fields = new Map(runOptions().fields.map((f) => [f.name, f]))
  for (const [flag, raw] of Object.entries(args.flags)) {
    if (flag === 'config') continue
    if (flag === 'algo') {
      config.algorithm = coerce(fields.get('algorithm')!, raw)
      continue
    }
    const field = fields.get(camel(flag))
    if (!field) throw new NashlabError('invalid_input', `Unknown option --${flag}. Run "nashlab runs options" for the fields of a run.`, { flag })
    config[field.name] = coerce(field, raw)
  }
  return config
}

/** Follow a run of this engine to its end, printing its steps; returns its final summary. */
export async function followRun(ctx: CliContext, run: number): Promise<Record<string, unknown>> {
  const engine = ctx.engine()
  const service = engine.service(NashTrainService)
  const offMetrics = engine.events.on('runs.metrics', (e) => {
    if (e.run === run && ctx.json) ctx.print(JSON.stringify({ type: 'step', run, step: e.step, metrics: e.values }))
  })
  const offProgress = engine.events.on('jobs.progress', (p) => {
    if (p.kind === 'train.nashmd') ctx.progress(p)
  })
  const onAbort = () => void engine.call('runs.cancel', { run }).catch(() => undefined)
  ctx.signal.addEventListener('abort', onAbort, { once: true })
  let ended: RunSummary
  try {
    ended = await service.finished(run)
  } finally {
    offMetrics()
    offProgress()
    ctx.signal.removeEventListener('abort', onAbort)
  }
  const detail = await engine.call('runs.show', { run })
  const last = detail.checkpoints.at(-1) ?? null
  const model = (await engine.call('models.list', {})).find((m) => m.run?.id === run)
  const summary = {
    type: 'summary',
    run,
    algorithm: ended.algorithm,
    status: ended.status,
    steps: ended.lastStep ?? 0,
    checkpoint: last ? { id: last.id, step: last.step, path: last.path } : null,
    model: model ? { id: model.id, name: model.name } : null,
    ...(ended.error ? { error: ended.error } : {}),
  }
  if (ctx.json) ctx.print(JSON.stringify(summary))
  else ctx.print(`Run ${run} (${ended.algorithm}) ${ended.status} at step ${summary.steps}${last ? `; last checkpoint: step ${last.step} in ${last.path}` : ''}${model ? `; trained model "${model.name}"` : ''}.`)
  if (ended.status === 'failed') throw new NashlabError('internal', `Run ${run} failed: ${ended.error ?? 'no reason recorded'}`, { run })
  return summary
}

export const nashmdCommands: CliCommand[] = [
  {
    words: ['train', 'nashmd'],
    usage: 'nashlab train nashmd --config FILE [--algo nash-md-pg|self-play|best-response|nash-ema-pg|rlhf] [--FIELD VALUE …] [--json]',
    summary: 'Train a policy with Nash-MD-PG (or self-play, best response, Nash-EMA-PG, RLHF) and follow the run',
    async run(args, ctx) {
      const config = configFromArgs(args)
      const started = await ctx.engine().call('runs.start', config as Input<'runs.start'>)
      if (!ctx.json) process.stderr.write(`Run ${started.id} (${started.algorithm}) started; Ctrl-C cancels it after a checkpoint.\n`)
      await followRun(ctx, started.id)
      return undefined
    },
  },
]
