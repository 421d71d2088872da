import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { NashlabError } from '../../api/errors'
import type { NashAlgorithm, NashConfig, NashConfigParsed } from '../../api/nashmd'
import type { RunSample, RunSummary } from '../../api/runs'
import type { EventBus } from '../../engine/events'
import type { Handlers, Service } from '../../engine/handlers'
import { writeFileAtomic } from '../../jobs/atomic'
import { jobScript } from '../../jobs/define'
import type { JobManager } from '../../jobs/manager'
import { ModelCatalog } from '../../models/catalog'
import { dataPath, storedPath, type ModelManifest, type PolicyManifest, type PreferenceManifest } from '../../models/manifest'
import { isNative } from '../../models/open'
import type { ModelRow } from '../../store/models'
import type { Db } from '../../store/db'
import { DatasetRepository } from '../../store/datasets'
import { ChannelReceiver, type ChannelMessage } from '../channel'
import { RunService } from '../service'
import type nashJobDefinition from './job'
import type { NashChannelMessage, NashJobInput } from './job'
import { runOptions } from './options'

/** The evalJudge that names the demo's rater population (native/demo/oracle.ts) instead of a model. */
export const oracleJudgeName = 'oracle'

export const nashJob = jobScript<typeof nashJobDefinition>('train.nashmd', new URL('./job.ts', import.meta.url))

export const nashAlgorithms: readonly NashAlgorithm[] = ['nash-md-pg', 'self-play', 'best-response', 'nash-ema-pg', 'rlhf']

export interface NashServiceDeps {
  db: Db
  events: EventBus
  database: string
  dataDir: string
  jobs: JobManager
}

/** Which process trains a run (runs/<id>/owner.json), so other processes leave it alone. */
interface Owner {
  pid: number
  hostname: string
  startedAt: string
}

/** Run folders an engine of this process is training (an owner file with this process's pid is live only then). */
const trainedHere = new Set<string>()

interface Active {
  job: string
  /** Settles when the run has ended and its status is recorded. */
  ended: Promise<RunSummary>
}

/**
 * The Nash-MD-PG family as runs: `runs.start` resolves a config (defaults, models, dataset), records
 * the run with it and starts its job; `runs.pause` / `runs.resume` / `runs.cancel` act on the job
 * (a cancelled, failed or interrupted run resumes from its newest checkpoint); metrics, checkpoints
 * and sample completions arrive from the worker over the run's side channel and are stored and
 * pushed (`runs.metrics`, `runs.samples`, `runs.status`). When a run completes, the trained policy
 * joins the model catalogue with its lineage.
 *
 * A run is owned by the process training it (runs/<id>/owner.json). A run left `running` by a
 * process that died (killed, crashed) is marked failed ("interrupted") when another engine opens the
 * database, and can be resumed; a run trained by another live process is cancelled through its
 * cancel file, which the job checks between steps.
 */
export class NashTrainService implements Service {
  readonly handlers: Partial<Handlers>
  private readonly datasets: DatasetRepository
  private readonly active = new Map<number, Active>()
  private readonly root: string
  private readonly deps: NashServiceDeps & { runs: RunService; catalog: ModelCatalog }

  constructor(base: NashServiceDeps) {
    // Runs and the catalogue are views of the same database: this service's own instances log and emit alike.
    const deps = (this.deps = { ...base, runs: new RunService(base), catalog: new ModelCatalog(base.db, base.dataDir) })
    this.datasets = new DatasetRepository(deps.db)
    // An in-memory database has no data folder of its own: keep its runs apart from other engines'.
    this.root = deps.database === ':memory:' ? fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-runs-')) : path.join(deps.dataDir, 'runs')
    this.handlers = {
      'runs.start': (input) => this.start(input),
      'runs.pause': ({ run }) => this.pause(run),
      'runs.resume': ({ run }) => this.resume(run),
      'runs.cancel': ({ run }) => this.cancel(run),
      'runs.options': () => runOptions(),
      'runs.samples': ({ run, after }) => this.samples(run, after),
    }
    this.markInterrupted()
  }

  private get repo() {
    return this.deps.runs.runs
  }

  private folder(run: number): string {
    return path.join(this.root, String(run))
  }

  private summary(run: number): RunSummary {
    const { config: _config, checkpoints: _checkpoints, metricNames: _names, ...summary } = this.repo.get(run)
    return summary
  }

  /** Resolves with the run's summary once it has ended (completed, cancelled or failed). */
  finished(run: number): Promise<RunSummary> {
    return this.active.get(run)?.ended ?? Promise.resolve(this.summary(run))
  }

  // Starting

  async start(input: NashConfigParsed): Promise<RunSummary> {
    const { config, links } = this.resolve(input)
    const run = this.repo.create(config.algorithm, config as unknown as Record<string, unknown>, links)
    try {
      this.launch(run, config, false)
    } catch (error) {
      this.deps.runs.setStatus(run, 'failed', (error as Error).message)
      throw error
    }
    return this.summary(run)
  }

  /** The full config: every default applied, the models and the dataset checked and named by id. */
  resolve(input: NashConfigParsed): { config: NashConfig; links: { modelId: number; datasetId: number } } {
    const policy = this.policyModel(input.policy, 'policy')
    const reference = input.reference === undefined ? policy : this.policyModel(input.reference, 'reference')
    const judge = this.judgeModel(input.preference, 'preference', input.algorithm)
    // "oracle" names the demo's rater population, not a model.
    const evalJudge = input.evalJudge === undefined ? judge : input.evalJudge === oracleJudgeName ? null : this.judgeModel(input.evalJudge, 'evalJudge', 'nash-md-pg')
    const p = policy.manifest as PolicyManifest
    const r = reference.manifest as PolicyManifest
    if (r.tokenizer.vocabSize !== p.tokenizer.vocabSize || r.tokenizer.eosId !== p.tokenizer.eosId || r.architecture.vocab !== p.architecture.vocab) {
      throw new NashlabError('invalid_input', `The reference "${reference.row.name}" has another vocabulary than the policy "${policy.row.name}"; the token-level mixture and the KL term need one vocabulary.`, { field: 'reference' })
    }
    const dataset = this.datasets.get(input.dataset)
    const context = p.architecture.context
    const maxPromptTokens = input.maxPromptTokens ?? Math.min(64, context - input.maxTokens)
    if (maxPromptTokens < 1 || maxPromptTokens + input.maxTokens > context) {
      throw new NashlabError('invalid_input', `Prompts of ${maxPromptTokens} tokens and completions of ${input.maxTokens} do not fit the policy's context of ${context} tokens; lower maxTokens or maxPromptTokens.`, { field: 'maxTokens' })
    }
    const microBatch = input.microBatch ?? input.batch
    if (input.batch % microBatch !== 0) throw new NashlabError('invalid_input', `The batch of ${input.batch} prompts is not a multiple of the micro-batch of ${microBatch}.`, { field: 'microBatch' })
    if (input.betaSchedule === 'piecewise' && !(input.betaPieces && input.betaPieces.length > 0)) {
      throw new NashlabError('invalid_input', 'A piecewise β schedule needs betaPieces: a list of { step, beta } from step 0 on.', { field: 'betaPieces' })
    }
    // β is the algorithm's for self-play and best response, whatever was asked.
    const fixedBeta = input.algorithm === 'self-play' ? 0 : input.algorithm === 'best-response' ? 1 : undefined
    const beta = fixedBeta ?? input.beta ?? (input.algorithm === 'nash-ema-pg' ? 0 : 0.25)
    const config: NashConfig = {
      ...input,
      policy: { id: policy.row.id, name: policy.row.name },
      reference: { id: reference.row.id, name: reference.row.name },
      preference: { id: judge.row.id, name: judge.row.name, kind: judge.row.kind },
      evalJudge: evalJudge ? { id: evalJudge.row.id, name: evalJudge.row.name, kind: evalJudge.row.kind } : { id: 0, name: oracleJudgeName, kind: 'oracle' },
      dataset: dataset.name,
      beta,
      betaSchedule: fixedBeta === undefined ? input.betaSchedule : 'constant',
      betaEnd: fixedBeta ?? input.betaEnd ?? beta,
      microBatch,
      minLr: input.minLr ?? input.lr / 10,
      maxPromptTokens,
    }
    if (fixedBeta !== undefined) delete config.betaPieces
    return { config, links: { modelId: policy.row.id, datasetId: dataset.id } }
  }

  private policyModel(ref: number | string, field: string): { row: ModelRow; manifest: ModelManifest } {
    const found = this.deps.catalog.get(ref)
    if (!isNative(found.manifest)) {
      throw new NashlabError('invalid_input', `Model "${found.row.name}" is a ${found.row.kind} model Nashlab cannot train natively; the ${field} must be a policy Nashlab built (created, trained, or a Nashlab export).`, { field })
    }
    return found
  }

  private judgeModel(ref: number | string, field: string, algorithm: NashAlgorithm): { row: ModelRow; manifest: ModelManifest } {
    const found = this.deps.catalog.get(ref)
    const kind = found.manifest.kind
    if (kind !== 'preference' && kind !== 'reward') {
      throw new NashlabError('invalid_input', `Model "${found.row.name}" is a ${kind} model; the ${field} must be a preference model or a Bradley–Terry reward model.`, { field })
    }
    if (algorithm === 'rlhf' && (found.manifest as PreferenceManifest).preference.kind !== 'bt') {
      throw new NashlabError('invalid_input', `rlhf maximises a reward, and "${found.row.name}" is a pairwise preference model; choose a Bradley–Terry reward model.`, { field })
    }
    return found
  }

  // The job of a run

  private launch(run: number, config: NashConfig, resume: boolean): void {
    const { catalog, jobs, events, dataDir } = this.deps
    const prompts = this.deps.db
      .prepare('SELECT p.text FROM prompts p JOIN datasets d ON d.id = p.dataset_id WHERE d.name = ? ORDER BY p.id')
      .pluck()
      .all(config.dataset) as string[]
    if (prompts.length === 0) throw new NashlabError('invalid_input', `The dataset "${config.dataset}" has no prompts to train on.`, { field: 'dataset' })
    // The models as they are now (a model deleted since the run started stops its resume here).
    const manifest = (id: number) => catalog.get(id).manifest
    const manifests = {
      policy: manifest(config.policy.id) as PolicyManifest,
      reference: manifest(config.reference.id) as PolicyManifest,
      judge: manifest(config.preference.id) as PreferenceManifest,
      evalJudge: config.evalJudge.kind === 'oracle' ? null : (manifest(config.evalJudge.id) as PreferenceManifest),
    }
    const folder = this.folder(run)
    fs.mkdirSync(folder, { recursive: true })
    const cancelFile = path.join(folder, 'cancel')
    fs.rmSync(cancelFile, { force: true })
    writeFileAtomic(path.join(folder, 'owner.json'), JSON.stringify({ pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString() } satisfies Owner))
    trainedHere.add(folder)

    let ended = false
    let resolveEnd!: () => void
    const endMessage = new Promise<void>((resolve) => (resolveEnd = resolve))
    const receiver = new ChannelReceiver((message: ChannelMessage) => this.receive(run, message as unknown as NashChannelMessage | { type: 'end' }, resolveEnd))
    const input: NashJobInput = {
      run,
      config,
      dataDir,
      manifests,
      prompts,
      checkpointRoot: path.join(folder, 'checkpoints'),
      resume,
      channel: receiver.name,
      cancelFile,
    }
    const job = jobs.start(nashJob, input, { label: `${config.algorithm} of ${config.policy.name} on ${config.dataset} (run ${run})` })
    // One job runs at a time (the engine's queue): a run waits as queued until its job starts.
    this.deps.runs.setStatus(run, jobs.get(job.id).status === 'queued' ? 'queued' : 'running')
    const unsubscribe = events.on('jobs.changed', (summary) => {
      if (summary.id !== job.id || ended) return
      const current = this.repo.get(run).status
      if (summary.status === 'paused' && current === 'running') this.deps.runs.setStatus(run, 'paused')
      if (summary.status === 'running' && (current === 'paused' || current === 'queued')) this.deps.runs.setStatus(run, 'running')
    })
    const drain = () => Promise.race([endMessage, new Promise<void>((r) => setTimeout(r, 5000).unref())])
    const finished = job.result
      .then(async (result) => {
        await drain()
        ended = true
        const checkpoint = this.repo.checkpoints(run).find((c) => dataPath(dataDir, c.path) === result.checkpoint) ?? this.repo.latestCheckpoint(run)
        if (!checkpoint) throw new NashlabError('internal', `Run ${run} finished without a checkpoint.`)
        this.register(run, config, { id: checkpoint.id, folder: dataPath(dataDir, checkpoint.path) }, result.metrics)
        this.deps.runs.setStatus(run, 'completed')
      })
      .catch(async (error: NashlabError) => {
        await drain()
        ended = true
        const cancelled = error.code === 'cancelled'
        this.deps.runs.setStatus(run, cancelled ? 'cancelled' : 'failed', cancelled ? null : error.message)
      })
      .then(() => {
        this.active.delete(run)
        unsubscribe()
        receiver.close()
        fs.rmSync(cancelFile, { force: true })
        fs.rmSync(path.join(folder, 'owner.json'), { force: true })
        trainedHere.delete(folder)
        return this.summary(run)
      })
    this.active.set(run, { job: job.id, ended: finished })
  }

  private receive(run: number, message: NashChannelMessage | { type: 'end' }, end: () => void): void {
    switch (message.type) {
      case 'metrics':
        return this.deps.runs.logMetrics(run, message.step, message.values)
      case 'checkpoint': {
        this.repo.addCheckpoint(run, message.step, storedPath(this.deps.dataDir, message.folder))
        // Older checkpoints the job pruned (keepCheckpoints) leave the list too.
        for (const c of this.repo.checkpoints(run)) if (!fs.existsSync(dataPath(this.deps.dataDir, c.path))) this.deps.db.prepare('DELETE FROM checkpoints WHERE id = ? AND NOT EXISTS (SELECT 1 FROM models WHERE checkpoint_id = ?)').run(c.id, c.id)
        return
      }
      case 'samples': {
        const insert = this.deps.db.prepare("INSERT INTO generations (run_id, step, prompt, completion, settings) VALUES (?, ?, ?, ?, '{}')")
        this.deps.db.transaction(() => {
          this.deps.db.prepare('DELETE FROM generations WHERE run_id = ? AND step = ? AND model_id IS NULL').run(run, message.step)
          for (const s of message.samples) insert.run(run, message.step, s.prompt, s.completion)
        })()
        this.deps.events.emit('runs.samples', { run, step: message.step, samples: message.samples })
        return
      }
      case 'end':
        return end()
    }
  }

  /** The trained policy joins the catalogue: weights in the run's final checkpoint, lineage to the policy it started from. */
  private register(run: number, config: NashConfig, checkpoint: { id: number; folder: string }, metrics: Record<string, number>): void {
    const { catalog, dataDir } = this.deps
    const base = catalog.get(config.policy.id)
    const manifest = base.manifest as PolicyManifest
    const win = metrics['eval/win_rate']
    const model = catalog.registerTrained({
      name: `${config.policy.name}-${config.algorithm}-${run}`,
      kind: 'policy',
      base: base.row,
      tokenizerFolder: path.dirname(dataPath(dataDir, manifest.tokenizer.file)),
      template: manifest.template,
      run,
      checkpoint,
      architecture: manifest.architecture,
      description: `${config.algorithm} from ${config.policy.name} on ${config.dataset} for ${config.steps} steps (τ ${config.tau}${config.algorithm === 'rlhf' ? '' : `, β ${config.beta}`}) against ${config.preference.name}${win !== undefined ? `; held-out win rate against the reference ${(win * 100).toFixed(1)}%` : ''}.`,
    })
    this.deps.events.emit('models.changed', { id: model.id, name: model.name })
  }

  // Control

  private nash(run: number): NashConfig {
    const detail = this.repo.get(run)
    if (!nashAlgorithms.includes(detail.algorithm as NashAlgorithm)) {
      throw new NashlabError('invalid_input', `Run ${run} is a ${detail.algorithm} run; pause, resume and cancel it with train.cancel / train.resume or its job.`, { run })
    }
    return detail.config as unknown as NashConfig
  }

  pause(run: number): RunSummary {
    this.nash(run)
    const active = this.active.get(run)
    if (!active) throw new NashlabError('conflict', `Run ${run} is not running in this workbench, so it cannot be paused.`, { run, status: this.repo.get(run).status })
    this.deps.jobs.pause(active.job)
    this.deps.runs.setStatus(run, 'paused')
    return this.summary(run)
  }

  resume(run: number): RunSummary {
    const config = this.nash(run)
    const active = this.active.get(run)
    if (active) {
      if (this.repo.get(run).status !== 'paused') throw new NashlabError('conflict', `Run ${run} is already running.`, { run })
      this.deps.jobs.resume(active.job)
      this.deps.runs.setStatus(run, 'running')
      return this.summary(run)
    }
    const status = this.repo.get(run).status
    if (status === 'completed') throw new NashlabError('conflict', `Run ${run} has completed; start a new run from it instead.`, { run, status })
    const owner = this.liveOwner(run)
    if (owner) throw new NashlabError('conflict', `Run ${run} is being trained by process ${owner.pid}; it cannot be resumed here.`, { run, pid: owner.pid })
    this.launch(run, config, true)
    return this.summary(run)
  }

  async cancel(run: number): Promise<RunSummary> {
    this.nash(run)
    const active = this.active.get(run)
    if (active) {
      // A job that ended meanwhile cannot be cancelled; the run's end is then what it was.
      await this.deps.jobs.cancel(active.job).catch((error: NashlabError) => {
        if (error.code !== 'conflict') throw error
      })
      return active.ended
    }
    const owner = this.liveOwner(run)
    if (owner) {
      // Another process trains it: ask through the cancel file, and wait for that process to record the end.
      fs.writeFileSync(path.join(this.folder(run), 'cancel'), new Date().toISOString())
      const deadline = Date.now() + 60_000
      while (Date.now() < deadline) {
        const status = this.repo.get(run).status
        if (status !== 'running' && status !== 'paused' && status !== 'queued') return this.summary(run)
        await new Promise((r) => setTimeout(r, 100))
      }
      throw new NashlabError('conflict', `Asked process ${owner.pid} to stop run ${run}, but it has not stopped within a minute (is it paused?).`, { run, pid: owner.pid })
    }
    const status = this.repo.get(run).status
    if (status === 'running' || status === 'paused' || status === 'queued') this.deps.runs.setStatus(run, 'cancelled')
    else throw new NashlabError('conflict', `Run ${run} is ${status}; there is nothing to cancel.`, { run, status })
    return this.summary(run)
  }

  samples(run: number, after: number): RunSample[] {
    this.repo.get(run)
    return this.deps.db
      .prepare('SELECT step, prompt, completion, created_at AS createdAt FROM generations WHERE run_id = ? AND model_id IS NULL AND step > ? ORDER BY step, id')
      .all(run, after) as RunSample[]
  }

  /** The process training a run, when it is another live process on this machine. */
  private liveOwner(run: number): Owner | null {
    let owner: Owner
    try {
      owner = JSON.parse(fs.readFileSync(path.join(this.folder(run), 'owner.json'), 'utf8')) as Owner
    } catch {
      return null
    }
    // Another machine's process (a shared folder) cannot be checked: it counts as alive.
    if (owner.hostname !== os.hostname()) return owner
    // This process: live while one of its engines trains the run (another engine on the same database).
    if (owner.pid === process.pid) return trainedHere.has(this.folder(run)) && !this.active.has(run) ? owner : null
    try {
      process.kill(owner.pid, 0)
      return owner
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM' ? owner : null
    }
  }

  /** Runs left running, paused or queued by a process that is gone: failed, "interrupted", resumable. */
  private markInterrupted(): void {
    for (const r of this.repo.list()) {
      if (!nashAlgorithms.includes(r.algorithm as NashAlgorithm)) continue
      if (r.status !== 'running' && r.status !== 'paused' && r.status !== 'queued') continue
      if (this.liveOwner(r.id)) continue
      const latest = this.repo.latestCheckpoint(r.id)
      this.deps.runs.setStatus(r.id, 'failed', `Interrupted: the process training run ${r.id} stopped without finishing it${latest ? `; resume continues from the checkpoint of step ${latest.step}` : ''}.`)
    }
  }

  /** Stop this engine's runs (each writes a checkpoint and is recorded as cancelled) before the database closes. */
  async shutdown(): Promise<void> {
    await Promise.all(
      [...this.active.values()].map(async ({ job, ended }) => {
        await this.deps.jobs.cancel(job).catch(() => undefined)
        await ended
      }),
    )
  }
}
