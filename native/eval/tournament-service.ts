import type { TournamentConfig, TournamentDetail, TournamentOutcome, TournamentSummary } from '../api/tournaments'
import { NashlabError } from '../api/errors'
import type { EventBus } from '../engine/events'
import type { ParsedInput } from '../api/contract'
import type { Handlers, Service } from '../engine/handlers'
import { jobScript } from '../jobs/define'
import type { JobManager } from '../jobs/manager'
import type { Db } from '../store/db'
import { DatasetRepository } from '../store/datasets'
import { TournamentRepository, type TournamentRecord } from '../store/tournaments'
import { humanResults } from './human-judge'
import { PlayerResolver, type PolicySpec } from './players'
import type tournamentDefinition from './tournament-job'
import type { TournamentJobInput } from './tournament-job'
import { summarizeTournament } from './tournament'

/** Whether a process with this id exists (signal 0 checks without sending anything). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export const tournamentJob = jobScript<typeof tournamentDefinition>('tournaments.run', new URL('./tournament-job.ts', import.meta.url))

/**
 * `tournaments.*`: round robins stored in tournaments / tournament_players / tournament_cells.
 * A model-judged or oracle-judged tournament runs as a job; a human-judged one is computed at once
 * from the votes collected so far.
 */
export class TournamentService implements Service {
  readonly handlers: Partial<Handlers>
  private readonly repo: TournamentRepository
  private readonly players: PlayerResolver
  /** Tournament id → its job, while it runs. */
  private readonly running = new Map<number, string>()

  constructor(private readonly deps: { db: Db; events: EventBus; dataDir: string; jobs: JobManager }) {
    this.repo = new TournamentRepository(deps.db)
    this.players = new PlayerResolver(deps.db, deps.dataDir)
    this.repo.abandon(processAlive)
    this.handlers = {
      'tournaments.start': (input) => this.start(input),
      'tournaments.list': () => this.repo.list().map((r) => this.summary(r)),
      'tournaments.show': ({ tournament }) => this.detail(tournament),
      'tournaments.cancel': async ({ tournament }) => {
        const job = this.running.get(tournament)
        if (job === undefined) {
          const record = this.repo.get(tournament)
          throw new NashlabError('conflict', `Tournament ${tournament} is ${record.status}; only a queued or running tournament can be cancelled.`, { tournament })
        }
        await deps.jobs.cancel(job)
        return this.summary(this.repo.get(tournament))
      },
      'tournaments.delete': ({ tournament }) => {
        if (this.running.has(tournament)) throw new NashlabError('conflict', `Tournament ${tournament} is still running; cancel it first.`, { tournament })
        this.repo.get(tournament)
        this.repo.delete(tournament)
        return { deleted: tournament }
      },
    }
  }

  private start(input: ParsedInput<'tournaments.start'>): TournamentSummary {
    const specs = input.players.map((ref) => this.players.policy(ref))
    const refs = specs.map((s) => s.ref)
    const duplicate = refs.find((r, i) => refs.indexOf(r) !== i)
    if (duplicate) throw new NashlabError('invalid_input', `Player ${duplicate} is listed twice; each player plays once.`, { player: duplicate })
    const human = input.judge === 'human'
    const datasets = new DatasetRepository(this.deps.db)
    const promptDataset = input.prompts === undefined ? null : datasets.get(input.prompts)
    let prompts: string[] = []
    if (!human) {
      if (!promptDataset) throw new NashlabError('invalid_input', `A tournament judged by ${input.judge} needs a prompt dataset (prompts).`, { field: 'prompts' })
      prompts = this.deps.db.prepare('SELECT text FROM prompts WHERE dataset_id = ? ORDER BY id').pluck().all(promptDataset.id) as string[]
      if (prompts.length === 0) throw new NashlabError('invalid_input', `The dataset "${promptDataset.name}" has no prompts.`, { dataset: promptDataset.name })
    }
    const judge = human ? null : input.judge === 'oracle' ? ({ kind: 'oracle' } as const) : ({ kind: 'preference', spec: this.players.preference(input.judge.slice('pref:'.length)) } as const)
    const config: TournamentConfig = {
      players: refs,
      judge: judge?.kind === 'preference' ? `pref:${judge.spec.modelId}` : input.judge,
      prompts: promptDataset?.name ?? null,
      n: input.n,
      seed: input.seed,
      bootstrap: input.bootstrap,
      settings: input.settings,
      pid: process.pid,
    }
    const name = input.name ?? `${specs.map((s) => s.label).join(' vs ')} (${human ? 'human votes' : judge?.kind === 'preference' ? judge.spec.label : 'oracle'})`
    const id = this.repo.create({ name, config, players: specs.map((s) => ({ label: s.label, modelId: s.modelId, checkpointId: s.checkpointId })) })
    if (human) {
      this.completeHuman(id, specs, promptDataset?.id ?? null, config)
      return this.changed(id)
    }
    const jobInput: TournamentJobInput = { players: specs, judge: judge!, prompts, n: input.n, seed: input.seed, bootstrap: input.bootstrap, settings: input.settings }
    const job = this.deps.jobs.start(tournamentJob, jobInput, { label: `Tournament: ${name}` })
    this.running.set(id, job.id)
    // The job's status (queued → running) is the tournament's while it runs.
    const unsubscribe = this.deps.events.on('jobs.changed', (summary) => {
      if (summary.id === job.id && summary.status === 'running' && this.repo.get(id).status === 'queued') {
        this.repo.setStatus(id, 'running')
        this.changed(id)
      }
    })
    job.result.then(
      (outcome) => {
        this.repo.complete(id, outcome)
      },
      (error: NashlabError) => {
        this.repo.setStatus(id, error.code === 'cancelled' ? 'cancelled' : 'failed', error.code === 'cancelled' ? null : error.message)
      },
    ).finally(() => {
      unsubscribe()
      this.running.delete(id)
      this.changed(id)
    })
    return this.changed(id)
  }

  private completeHuman(id: number, specs: PolicySpec[], promptDataset: number | null, config: TournamentConfig): void {
    const started = performance.now()
    const votes = humanResults(this.deps.db, specs.map((s) => s.ref), promptDataset)
    const result = summarizeTournament(specs.map((s) => s.label), 'human', votes, { seed: config.seed, bootstrap: config.bootstrap })
    const outcome: TournamentOutcome = { ...result, judged: votes.judged, generated: 0, generateSeconds: 0, judgeSeconds: (performance.now() - started) / 1000, skipped: votes.skipped }
    this.repo.complete(id, outcome)
  }

  private changed(id: number): TournamentSummary {
    const summary = this.summary(this.repo.get(id))
    this.deps.events.emit('tournaments.changed', summary)
    return summary
  }

  private summary(r: TournamentRecord): TournamentSummary {
    const job = this.running.get(r.id) ?? null
    return {
      id: r.id,
      name: r.name,
      judge: r.judge,
      status: r.status,
      players: r.players,
      prompts: r.config.prompts,
      n: r.config.n,
      job,
      progress: job === null ? null : this.deps.jobs.get(job).progress,
      error: r.error,
      createdAt: r.createdAt,
      finishedAt: r.finishedAt,
    }
  }

  private detail(id: number): TournamentDetail {
    const r = this.repo.get(id)
    return { ...this.summary(r), config: r.config, result: r.result }
  }
}
