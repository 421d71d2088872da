import type { TournamentDetail, TournamentOutcome, TournamentSummary } from '../../api/contract'
import type { SamplingSettings } from '../../api/generate'
import { NashlabError } from '../../api/errors'
import { numberFlag, requiredFlag, requiredPositional, stringFlag } from '../args'
import type { CliCommand, CliContext } from '../command'
import type { Engine } from '../../engine/engine'

const finishedStatuses = ['completed', 'failed', 'cancelled']

/** A comma-separated flag as a list. */
function listFlag(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

/** Sampling flags shared by `compare` and `tournament`. */
export function samplingFlags(args: Parameters<CliCommand['run']>[0]): Partial<SamplingSettings> {
  const settings: Partial<SamplingSettings> = {}
  for (const [flag, key] of [
    ['temperature', 'temperature'],
    ['top-k', 'topK'],
    ['top-p', 'topP'],
    ['min-p', 'minP'],
    ['max-tokens', 'maxTokens'],
    ['seed', 'seed'],
  ] as const) {
    const v = numberFlag(args, flag)
    if (v !== undefined) settings[key] = v
  }
  if (args.flags['no-eos'] === true) settings.stopAtEos = false
  return settings
}

/** Wait for a tournament to finish, showing its job's progress; Ctrl+C cancels it. */
async function waitFor(engine: Engine, started: TournamentSummary, ctx: CliContext): Promise<TournamentSummary> {
  if (finishedStatuses.includes(started.status)) return started
  const offProgress = engine.events.on('jobs.progress', (p) => {
    if (p.job === started.job) ctx.progress(p)
  })
  const cancel = () => void engine.call('tournaments.cancel', { tournament: started.id }).catch(() => {})
  ctx.signal.addEventListener('abort', cancel, { once: true })
  try {
    return await new Promise<TournamentSummary>((resolve) => {
      const off = engine.events.on('tournaments.changed', (s) => {
        if (s.id === started.id && finishedStatuses.includes(s.status)) {
          off()
          resolve(s)
        }
      })
    })
  } finally {
    offProgress()
    ctx.signal.removeEventListener('abort', cancel)
  }
}

const pct = (p: number) => `${(100 * p).toFixed(1)}%`

/** The matrix (P(column ≻ row)), ratings, the maximal lottery and exploitability as text. */
export function formatOutcome(r: TournamentOutcome): string {
  const names = r.players
  const width = Math.max(8, ...names.map((n) => n.length))
  const cell = (s: string) => s.padStart(8)
  const lines = [`P(column ≻ row), judged by ${r.judge}:`, `${''.padEnd(width)}  ${names.map((n, i) => cell(`#${i + 1}`)).join(' ')}`]
  r.matrix.forEach((row, i) => lines.push(`${`#${i + 1} ${names[i]}`.padEnd(width + 3).slice(0, width + 3)}${row.map((p, j) => cell(i === j ? '·' : pct(p))).join(' ').slice(1)}`))
  lines.push('', 'Player'.padEnd(width + 3) + 'Elo (95% interval)        Nash     exploitability')
  names.forEach((name, i) => {
    const elo = `${r.bt.elo[i].toFixed(0)} (${r.bt.low[i].toFixed(0)}–${r.bt.high[i].toFixed(0)})`
    const bar = '█'.repeat(Math.round(r.nash[i] * 20))
    lines.push(`${`#${i + 1} ${name}`.padEnd(width + 3)}${elo.padEnd(26)}${pct(r.nash[i]).padStart(6)} ${bar.padEnd(20)} ${r.exploitability[i].toFixed(3)}`)
  })
  for (const [a, b, c] of r.nonTransitive) lines.push(`Non-transitive: ${names[a]} ≻ ${names[b]} ≻ ${names[c]} ≻ ${names[a]}`)
  const seconds = r.generateSeconds + r.judgeSeconds
  lines.push('', `${r.judged} pairs judged${r.generated ? `, ${r.generated} responses generated` : ''}${r.skipped ? `, ${r.skipped} votes skipped` : ''} in ${seconds.toFixed(1)} s (judging ${r.judgeSeconds.toFixed(2)} s).`)
  return lines.join('\n')
}

function showResult(detail: TournamentDetail): TournamentOutcome & { id: number } {
  if (detail.status !== 'completed' || !detail.result) {
    throw new NashlabError(detail.status === 'cancelled' ? 'cancelled' : 'internal', detail.error ?? `Tournament ${detail.id} ended ${detail.status}.`, { tournament: detail.id })
  }
  return { id: detail.id, ...detail.result }
}

export const tournamentCommands: CliCommand[] = [
  {
    words: ['tournament'],
    usage:
      'nashlab tournament --players A,B,C --judge pref:MODEL|oracle|human [--prompts DATASET] [--n 200] [--name NAME] [--seed N] [--bootstrap N] [--max-tokens N] [--temperature T] [--top-p P] [--top-k K] [--json]',
    summary: 'Round robin of models or checkpoints judged by a preference model, the demo oracle or human votes: P(column ≻ row), Elo, maximal lottery',
    run: async (args, ctx) => {
      const engine = ctx.engine()
      const settings = samplingFlags(args)
      const started = await engine.call('tournaments.start', {
        name: stringFlag(args, 'name'),
        players: listFlag(requiredFlag(args, 'players')),
        judge: requiredFlag(args, 'judge'),
        prompts: stringFlag(args, 'prompts'),
        n: numberFlag(args, 'n'),
        seed: numberFlag(args, 'seed'),
        bootstrap: numberFlag(args, 'bootstrap'),
        settings,
      })
      await waitFor(engine, started, ctx)
      return showResult(await engine.call('tournaments.show', { tournament: started.id }))
    },
    format: formatOutcome,
  },
  {
    words: ['tournaments', 'list'],
    usage: 'nashlab tournaments list [--json]',
    summary: 'Stored tournaments, newest first',
    run: (_args, ctx) => ctx.engine().call('tournaments.list', {}),
    format: (list: TournamentSummary[]) =>
      list.length === 0
        ? 'No tournaments yet. Start one with "nashlab tournament --players A,B --judge oracle --prompts DATASET".'
        : list.map((t) => `${String(t.id).padStart(4)}  ${t.status.padEnd(9)}  ${t.name}  (${t.players.length} players, judge ${t.judge}, n ${t.n})`).join('\n'),
  },
  {
    words: ['tournaments', 'show'],
    usage: 'nashlab tournaments show ID [--json]',
    summary: "A stored tournament's matrix, ratings and maximal lottery",
    run: async (args, ctx) => showResult(await ctx.engine().call('tournaments.show', { tournament: Number(requiredPositional(args, 0, 'the tournament id')) })),
    format: formatOutcome,
  },
]
