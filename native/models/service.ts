import { NashlabError } from '../api/errors'
import type { GenerateResult, GenerateTokenEvent, SamplingSettings } from '../api/generate'
import type { EventBus } from '../engine/events'
import type { Handlers, Service } from '../engine/handlers'
import { jobScript } from '../jobs/define'
import type { JobManager } from '../jobs/manager'
import type generateDefinition from '../generate/generate-job'
import type tokenizerDefinition from './tokenizer/train-job'
import type { Db } from '../store/db'
import { ChannelReceiver } from '../train/channel'
import { ModelCatalog } from './catalog'

export const generateJob = jobScript<typeof generateDefinition>('generate', new URL('../generate/generate-job.ts', import.meta.url))
export const tokenizerJob = jobScript<typeof tokenizerDefinition>('tokenizer', new URL('./tokenizer/train-job.ts', import.meta.url))

/**
 * `models.*` and `generate.*`: the model catalogue, export and import, and sampling as a job in a
 * worker thread whose tokens are pushed as `generate.tokens` events while it runs. A model created
 * with a tokenizer trained on a dataset trains it as a job too (`tokenizer`, with progress in merges).
 */
export class ModelService implements Service {
  readonly handlers: Partial<Handlers>
  readonly catalog: ModelCatalog

  constructor(private readonly deps: { db: Db; events: EventBus; dataDir: string; jobs: JobManager }) {
    const catalog = (this.catalog = new ModelCatalog(deps.db, deps.dataDir))
    const changed = (m: { id: number; name: string }) => deps.events.emit('models.changed', { id: m.id, name: m.name })
    this.handlers = {
      'models.list': () => catalog.list(),
      'models.show': ({ model }) => catalog.detail(model),
      'models.create': async (input, ctx) => {
        const created = await catalog.create(input, {
          trainTokenizer: (request) => deps.jobs.start(tokenizerJob, request, { label: `Train the tokenizer of ${input.name}`, signal: ctx.signal, immediate: true }).result,
        })
        changed(created)
        return created
      },
      'models.import': async (input) => {
        const imported = await catalog.importDecoder(input)
        changed(imported)
        return imported
      },
      'models.export': (input) => catalog.export(input),
      'models.delete': ({ model }) => {
        const { row } = catalog.get(model)
        const result = catalog.delete(model)
        changed(row)
        return result
      },
      'generate.run': (input, ctx) => this.generate(input, ctx.signal),
    }
  }

  /** Sample from a model in a job; tokens stream as events when a request id is given. */
  async generate(
    input: { model: number | string; prompts: string[]; n: number; settings: SamplingSettings; request?: string; save: boolean },
    signal?: AbortSignal,
  ): Promise<GenerateResult> {
    const { row, manifest } = this.catalog.get(input.model)
    if (manifest.kind === 'preference' || manifest.kind === 'reward') {
      throw new NashlabError('invalid_input', `Model "${row.name}" is a ${manifest.kind} model: it judges pairs and does not generate text.`, { model: row.name })
    }
    const request = input.request
    const receiver = request
      ? new ChannelReceiver((message) => {
          if (message.type === 'token') {
            const { type: _type, ...event } = message
            this.deps.events.emit('generate.tokens', { ...(event as unknown as Omit<GenerateTokenEvent, 'request'>), request })
          }
        })
      : undefined
    try {
      const job = this.deps.jobs.start(
        generateJob,
        { manifest, dataDir: this.deps.dataDir, prompts: input.prompts, n: input.n, settings: input.settings, channel: receiver?.name },
        { label: `Generate from ${row.name}`, signal },
      )
      const result = await job.result
      await receiver?.drain(result.messages)
      if (input.save) this.save(row.id, input.prompts, result.completions, input.settings)
      return { model: { id: row.id, name: row.name }, completions: result.completions, settings: input.settings, tokens: result.tokens, seconds: result.seconds }
    } finally {
      receiver?.close()
    }
  }

  private save(modelId: number, prompts: string[], completions: GenerateResult['completions'], settings: SamplingSettings): void {
    const insert = this.deps.db.prepare('INSERT INTO generations (model_id, prompt, completion, settings) VALUES (?, ?, ?, ?)')
    this.deps.db.transaction(() => {
      for (const c of completions) insert.run(modelId, prompts[c.prompt], c.text, JSON.stringify(settings))
    })()
  }
}
