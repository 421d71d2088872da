import fs from 'node:fs'
import path from 'node:path'
import type { z } from 'zod'
import { NashlabError } from '../api/errors'
import type { ModelSummary } from '../api/models'
import type { RunSummary } from '../api/runs'
import type { TrainStarted, trainMethods } from '../api/train'
import type { EventBus } from '../engine/events'
import type { Handlers, Service } from '../engine/handlers'
import { jobScript, type JobScript } from '../jobs/define'
import type { JobManager } from '../jobs/manager'
import { defaultTemplate, ModelCatalog } from '../models/catalog'
import { decoderConfigSchema, type DecoderConfig } from '../models/config'
import { dataPath, storedPath, type ModelManifest } from '../models/manifest'
import { isNative } from '../models/open'
import { resolvePreferenceConfig } from '../models/preference-config'
import { tokenizerJob } from '../models/service'
import { loadTokenizer } from '../models/tokenizer/files'
import type { PromptTemplate } from '../models/tokenizer/template'
import type { Db } from '../store/db'
import { DatasetRepository } from '../store/datasets'
import { datasetTexts, judgedPairs, preferredExamples, responseExamples } from '../store/examples'
import { ChannelReceiver, type ChannelMessage } from './channel'
import type { PreferenceJobInput, PreferenceJobResult } from './preference-job'
import { longestPair, resolvePreferenceTrainConfig } from './preference'
import { RunService } from './service'
import { longestExample, resolveSftConfig } from './sft'
import type { SftJobInput, TrainJobResult } from './sft-job'
import type sftDefinition from './sft-job'
import type preferenceDefinition from './preference-job'

export const sftJob = jobScript<typeof sftDefinition>('train.sft', new URL('./sft-job.ts', import.meta.url))
export const preferenceJob = jobScript<typeof preferenceDefinition>('train.preference', new URL('./preference-job.ts', import.meta.url))

type SftRequest = z.output<(typeof trainMethods)['train.sft']['input']>
type PreferenceRequest = z.output<(typeof trainMethods)['train.preference']['input']>

/** Default trunk of a preference model trained from scratch: small enough for a CPU. */
export const preferenceArchitectureDefaults = { dModel: 64, layers: 2, heads: 4, context: 128 }

/** What a run's config records about how it was started (enough to start it again for a resume). */
interface SftRunConfig {
  algorithm: 'sft'
  model: { id: number; name: string }
  dataset: { id: number; name: string }
  examples: 'preferred' | 'responses'
  adapter: 'full' | 'lora'
  loraRank: number
  name: string | null
  settings: Record<string, unknown>
}

interface PreferenceRunConfig {
  algorithm: 'preference' | 'reward'
  kind: 'pairwise' | 'bt'
  dataset: { id: number; name: string }
  from: { id: number; name: string } | null
  architecture: Record<string, unknown> | null
  vocabSize: number
  includeBothBad: boolean
  name: string | null
  settings: Record<string, unknown>
}

/**
 * `train.*`: SFT and preference/reward-model runs. Each run is recorded (full resolved config,
 * metrics per step, checkpoints) and executed as a job in a worker thread; the job's pause and
 * resume show on the run; when it completes, the trained model is registered with its lineage.
 */
export class TrainingService implements Service {
  readonly handlers: Partial<Handlers>
  private readonly datasets: DatasetRepository
  /** Runs with a job in flight → the job. */
  private readonly active = new Map<number, string>()

  private readonly deps: { db: Db; events: EventBus; dataDir: string; jobs: JobManager; runs: RunService; catalog: ModelCatalog }

  constructor(base: { db: Db; events: EventBus; dataDir: string; jobs: JobManager }) {
    // Runs and the catalogue are views of the same database: this service's own instances log and emit alike.
    const deps = (this.deps = { ...base, runs: new RunService(base), catalog: new ModelCatalog(base.db, base.dataDir) })
    this.datasets = new DatasetRepository(deps.db)
    this.handlers = {
      'train.sft': (input) => this.startSft(input),
      'train.preference': (input, ctx) => this.startPreference(input, ctx.signal),
      'train.resume': ({ run, wait }) => this.resume(run, wait),
      'train.cancel': async ({ run }) => {
        const job = this.active.get(run)
        if (!job) throw new NashlabError('conflict', `Run ${run} is not running, so it cannot be cancelled.`, { run })
        await deps.jobs.cancel(job)
        return this.summary(run)
      },
    }
  }

  private summary(run: number): RunSummary {
    return this.deps.runs.runs.list().find((r) => r.id === run)!
  }

  private runFolder(run: number): string {
    return path.join(this.deps.dataDir, 'runs', String(run))
  }

  // SFT

  startSft(input: SftRequest): Promise<TrainStarted> {
    const { row } = this.deps.catalog.get(input.model)
    const dataset = this.datasets.get(input.dataset)
    const runConfig: SftRunConfig = {
      algorithm: 'sft',
      model: { id: row.id, name: row.name },
      dataset: { id: dataset.id, name: dataset.name },
      examples: input.examples,
      adapter: input.adapter,
      loraRank: input.loraRank,
      name: input.name ?? null,
      settings: input.settings,
    }
    const prepared = this.prepareSft(runConfig)
    const run = this.deps.runs.runs.create('sft', prepared.fullConfig, { modelId: row.id, datasetId: dataset.id })
    return this.launchSft(run, prepared, undefined, input.wait)
  }

  private prepareSft(rc: SftRunConfig) {
    const { row, manifest } = this.deps.catalog.get(rc.model.id)
    const model = sftModel(row.name, manifest, this.deps.dataDir)
    if (model.kind === 'graph' && rc.adapter === 'lora' && manifest.kind !== 'imported') throw new NashlabError('internal', 'LoRA on a graph needs an imported model.')
    const examples = rc.examples === 'preferred' ? preferredExamples(this.deps.db, rc.dataset.id) : responseExamples(this.deps.db, rc.dataset.id)
    if (examples.length === 0) {
      throw new NashlabError('invalid_input', `Dataset "${rc.dataset.name}" has no ${rc.examples === 'preferred' ? 'decisive or tied comparisons to take preferred responses from' : 'responses'}; SFT needs examples.`, { dataset: rc.dataset.name })
    }
    const tokenizerFolder = path.dirname(dataPath(this.deps.dataDir, manifest.tokenizer.file))
    const tokenizer = loadTokenizer(tokenizerFolder).tokenizer
    const context = model.kind === 'native' ? model.architecture.context : (model.io.context ?? 1024)
    const config = resolveSftConfig({ ...rc.settings, examples: rc.examples } as never, { context }, longestExample(tokenizer, manifest.template, examples))
    const fullConfig = { ...rc, ...(model.kind === 'native' ? { architecture: model.architecture } : { onnx: model.onnx }), resolved: config, exampleCount: examples.length, steps: config.steps }
    return { row, manifest, model, tokenizerFolder, examples, config, fullConfig }
  }

  private launchSft(run: number, p: ReturnType<TrainingService['prepareSft']>, resumeFrom: string | undefined, wait: boolean): Promise<TrainStarted> {
    const rc = p.fullConfig
    const input: Omit<SftJobInput, 'channel'> = {
      model: p.model,
      adapter: rc.adapter,
      rank: rc.loraRank,
      tokenizerFolder: p.tokenizerFolder,
      template: p.manifest.template,
      examples: p.examples,
      config: p.config,
      runConfig: p.fullConfig,
      runFolder: this.runFolder(run),
      resumeFrom,
    }
    const how = rc.adapter === 'lora' ? `LoRA (rank ${rc.loraRank})` : 'SFT'
    return this.launch(run, sftJob, input, `${how} of ${p.row.name} on ${rc.dataset.name}`, wait, async (result, checkpoint) => {
      const common = {
        name: rc.name ?? `${p.row.name}-sft-${run}`,
        base: p.row,
        tokenizerFolder: p.tokenizerFolder,
        template: p.manifest.template,
        run,
        checkpoint,
        description: `${rc.adapter === 'lora' ? `LoRA rank ${rc.loraRank}, merged` : 'Fine-tuned'} from ${p.row.name} on ${rc.dataset.name} for ${result.steps} steps (loss ${result.metrics.loss?.toFixed(4)}).`,
      }
      if (p.model.kind === 'graph') return this.deps.catalog.registerTrainedGraph({ ...common, onnx: result.produced!.onnx! })
      return this.deps.catalog.registerTrained({ ...common, kind: 'policy', architecture: p.model.architecture, weightsFolder: result.produced?.weightsFolder })
    })
  }

  // Preference and reward models

  /** `signal` cancels the tokenizer's training, when the model gets a tokenizer of its own (as `train.cancel` does). */
  async startPreference(input: PreferenceRequest, signal?: AbortSignal): Promise<TrainStarted> {
    const dataset = this.datasets.get(input.dataset)
    const from = input.from !== undefined ? this.deps.catalog.get(input.from).row : undefined
    const runConfig: PreferenceRunConfig = {
      algorithm: input.kind === 'pairwise' ? 'preference' : 'reward',
      kind: input.kind,
      dataset: { id: dataset.id, name: dataset.name },
      from: from ? { id: from.id, name: from.name } : null,
      architecture: input.architecture ?? null,
      vocabSize: input.vocabSize,
      includeBothBad: input.includeBothBad,
      name: input.name ?? null,
      settings: input.settings,
    }
    if (judgedPairs(this.deps.db, dataset.id).length === 0) throw new NashlabError('invalid_input', `Dataset "${dataset.name}" has no comparisons to learn preferences from.`, { dataset: dataset.name })
    const run = this.deps.runs.runs.create(runConfig.algorithm, { ...runConfig }, { modelId: from?.id, datasetId: dataset.id })
    let prepared: Awaited<ReturnType<TrainingService['preparePreference']>>
    try {
      prepared = await this.preparePreference(run, runConfig, signal)
      this.deps.runs.runs.updateConfig(run, prepared.fullConfig)
    } catch (error) {
      const cancelled = error instanceof NashlabError && error.code === 'cancelled'
      this.deps.runs.setStatus(run, cancelled ? 'cancelled' : 'failed', (error as Error).message)
      throw error
    }
    return this.launchPreference(run, prepared, undefined, input.wait)
  }

  /**
   * The tokenizer of a preference model without a base model: a byte-level BPE trained on the
   * dataset's texts, as a job in a worker (`tokenizer`, progress in merges; `train.cancel` of the run
   * or `signal` cancels it). It trains into a staging folder renamed to `folder` once whole, so a
   * cancelled training leaves nothing and a resumed run trains it again.
   */
  private async trainTokenizer(run: number, rc: PreferenceRunConfig, folder: string, signal?: AbortSignal): Promise<void> {
    fs.mkdirSync(path.dirname(folder), { recursive: true })
    fs.rmSync(folder, { recursive: true, force: true })
    const staged = fs.mkdtempSync(path.join(path.dirname(folder), '.tokenizer-'))
    try {
      const texts = [...datasetTexts(this.deps.db, rc.dataset.id)]
      const job = this.deps.jobs.start(tokenizerJob, { texts, vocabSize: rc.vocabSize, folder: staged }, { label: `Train the tokenizer of run ${run} on ${rc.dataset.name}`, signal, immediate: true })
      this.active.set(run, job.id)
      await job.result
      fs.renameSync(staged, folder)
    } finally {
      this.active.delete(run)
      fs.rmSync(staged, { recursive: true, force: true })
    }
  }

  private async preparePreference(run: number, rc: PreferenceRunConfig, signal?: AbortSignal) {
    let trunkInput: Record<string, unknown>
    let tokenizerFolder: string
    let template: PromptTemplate
    let weightsFolder: string | undefined
    const base = rc.from ? this.deps.catalog.get(rc.from.id) : undefined
    if (base) {
      const architecture = trainableArchitecture(base.row.name, base.manifest)
      trunkInput = { ...architecture, tiedEmbeddings: true }
      tokenizerFolder = path.dirname(dataPath(this.deps.dataDir, base.manifest.tokenizer.file))
      template = base.manifest.template
      weightsFolder = dataPath(this.deps.dataDir, (base.manifest as { weights: string }).weights)
    } else {
      tokenizerFolder = path.join(this.runFolder(run), 'tokenizer')
      if (!fs.existsSync(path.join(tokenizerFolder, 'tokenizer.json'))) await this.trainTokenizer(run, rc, tokenizerFolder, signal)
      const tokenizer = loadTokenizer(tokenizerFolder).tokenizer
      trunkInput = { ...preferenceArchitectureDefaults, ...(rc.architecture ?? {}), vocab: tokenizer.vocabSize }
      template = defaultTemplate
    }
    const parsed = decoderConfigSchema.safeParse(trunkInput)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new NashlabError('invalid_input', `Invalid architecture: field "${issue.path.join('.')}": ${issue.message}.`, { field: issue.path.join('.') })
    }
    const model = resolvePreferenceConfig(rc.kind, trunkInput as never)
    const judgements = judgedPairs(this.deps.db, rc.dataset.id)
    const longest = longestPair(rc.kind, loadTokenizer(tokenizerFolder).tokenizer, template, judgements)
    const config = resolvePreferenceTrainConfig({ ...rc.settings, includeBothBad: rc.includeBothBad } as never, model, longest)
    const fullConfig = { ...rc, preference: model, resolved: config, comparisonCount: judgements.length, steps: config.steps }
    return { base, model, config, judgements, tokenizerFolder, template, weightsFolder, fullConfig }
  }

  private launchPreference(run: number, p: Awaited<ReturnType<TrainingService['preparePreference']>>, resumeFrom: string | undefined, wait: boolean): Promise<TrainStarted> {
    const input: Omit<PreferenceJobInput, 'channel'> = {
      model: p.model,
      weightsFolder: p.weightsFolder,
      tokenizerFolder: p.tokenizerFolder,
      template: p.template,
      judgements: p.judgements,
      config: p.config,
      runConfig: p.fullConfig,
      checkpointRoot: path.join(this.runFolder(run), 'checkpoints'),
      resumeFrom,
    }
    const rc = p.fullConfig
    const what = rc.kind === 'pairwise' ? 'preference model' : 'reward model'
    return this.launch(run, preferenceJob, input, `Train a ${what} on ${rc.dataset.name}`, wait, (result, checkpoint) => {
      const evaluation = (result as PreferenceJobResult).evaluation ?? undefined
      return this.deps.catalog.registerTrained({
        name: rc.name ?? `${rc.dataset.name}-${rc.kind === 'pairwise' ? 'preference' : 'reward'}-${run}`,
        kind: rc.kind === 'pairwise' ? 'preference' : 'reward',
        base: p.base?.row,
        tokenizerFolder: p.tokenizerFolder,
        template: p.template,
        run,
        checkpoint,
        preference: p.model,
        evaluation,
        tokenizerTrainedOn: p.base ? undefined : rc.dataset.name,
        description: `A ${what} trained on ${rc.dataset.name} for ${result.steps} steps${evaluation ? ` (held-out accuracy ${(evaluation.accuracy * 100).toFixed(1)}%, log-loss ${evaluation.logLoss.toFixed(3)})` : ''}.`,
      })
    })
  }

  // Resume

  private async resume(run: number, wait: boolean): Promise<TrainStarted> {
    const detail = this.deps.runs.runs.get(run)
    if (this.active.has(run)) throw new NashlabError('conflict', `Run ${run} is already running.`, { run })
    if (detail.status !== 'cancelled' && detail.status !== 'failed') {
      throw new NashlabError('conflict', `Run ${run} is ${detail.status}; only a cancelled or failed run can be resumed.`, { run, status: detail.status })
    }
    const latest = this.deps.runs.runs.latestCheckpoint(run)
    const resumeFrom = latest ? dataPath(this.deps.dataDir, latest.path) : undefined
    const config = detail.config as unknown as SftRunConfig | PreferenceRunConfig
    if (config.algorithm === 'sft') return this.launchSft(run, this.prepareSft(config), resumeFrom, wait)
    if (config.algorithm === 'preference' || config.algorithm === 'reward') return this.launchPreference(run, await this.preparePreference(run, config), resumeFrom, wait)
    throw new NashlabError('invalid_input', `Run ${run} is a ${detail.algorithm} run, which this service does not resume.`, { run })
  }

  // The job of a run

  private async launch<I, R extends TrainJobResult>(
    run: number,
    script: JobScript<I & { channel: string }, R>,
    input: I,
    label: string,
    wait: boolean,
    register: (result: R, checkpoint: { id: number; folder: string }) => ModelSummary | Promise<ModelSummary>,
  ): Promise<TrainStarted> {
    const { runs, jobs, events } = this.deps
    const receiver = new ChannelReceiver((message: ChannelMessage) => {
      if (message.type === 'metrics') runs.logMetrics(run, message.step as number, message.values as Record<string, number>)
      else if (message.type === 'checkpoint') runs.runs.addCheckpoint(run, message.step as number, storedPath(this.deps.dataDir, message.folder as string))
    })
    const job = jobs.start(script, { ...input, channel: receiver.name }, { label: `${label} (run ${run})` })
    this.active.set(run, job.id)
    runs.setStatus(run, 'running')
    const unsubscribe = events.on('jobs.changed', (summary) => {
      if (summary.id !== job.id) return
      const current = runs.runs.get(run).status
      if (summary.status === 'paused' && current === 'running') runs.setStatus(run, 'paused')
      if (summary.status === 'running' && current === 'paused') runs.setStatus(run, 'running')
    })
    const done = job.result
      .then(async (result) => {
        await receiver.drain(result.messages)
        const checkpoint = runs.runs.checkpoints(run).find((c) => dataPath(this.deps.dataDir, c.path) === result.checkpoint) ?? runs.runs.latestCheckpoint(run)
        if (!checkpoint) throw new NashlabError('internal', `Run ${run} finished without a checkpoint.`)
        const model = await register(result, { id: checkpoint.id, folder: dataPath(this.deps.dataDir, checkpoint.path) })
        runs.setStatus(run, 'completed')
        events.emit('models.changed', { id: model.id, name: model.name })
        return model
      })
      .catch(async (error: NashlabError) => {
        await receiver.drain(Infinity, 200)
        runs.setStatus(run, error.code === 'cancelled' ? 'cancelled' : 'failed', error.code === 'cancelled' ? null : error.message)
        throw error
      })
      .finally(() => {
        this.active.delete(run)
        unsubscribe()
        receiver.close()
      })
    done.catch(() => {})
    if (!wait) return { run: this.summary(run), job: job.id }
    const model = await done
    return { run: this.summary(run), job: job.id, model }
  }
}

/** A model's architecture when Nashlab trains it natively; otherwise an error saying why. */
function trainableArchitecture(name: string, manifest: ModelManifest): DecoderConfig {
  if (isNative(manifest)) return manifest.architecture
  if (manifest.kind === 'imported') {
    throw new NashlabError('invalid_input', `Model "${name}" is an ONNX graph Nashlab did not build; a preference model needs a Nashlab decoder to start from.`, { model: name })
  }
  throw new NashlabError('invalid_input', `Model "${name}" is a ${manifest.kind} model, not a policy.`, { model: name })
}

/** What SFT trains: Nashlab's decoder, or an imported graph whose every op has a gradient rule. */
function sftModel(name: string, manifest: ModelManifest, dataDir: string): SftJobInput['model'] {
  if (isNative(manifest)) return { kind: 'native', architecture: manifest.architecture, weightsFolder: dataPath(dataDir, manifest.weights) }
  if (manifest.kind === 'imported') {
    const uncovered = manifest.graph.uncoveredOps
    if (uncovered.length > 0) {
      throw new NashlabError(
        'invalid_input',
        `Model "${name}" cannot be fine-tuned here: Nashlab's autodiff has no gradient for ${uncovered.join(', ')}. It can still generate and be compared.`,
        { model: name, uncoveredOps: uncovered },
      )
    }
    return { kind: 'graph', onnx: manifest.onnx, io: manifest.io }
  }
  throw new NashlabError('invalid_input', `Model "${name}" is a ${manifest.kind} model; SFT trains policies.`, { model: name })
}
