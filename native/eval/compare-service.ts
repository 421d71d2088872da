import type { CompareResult } from '../api/compare'
import type { EventBus } from '../engine/events'
import type { Handlers, Service } from '../engine/handlers'
import { jobScript } from '../jobs/define'
import type { JobManager } from '../jobs/manager'
import type { Db } from '../store/db'
import { DatasetRepository } from '../store/datasets'
import type compareDefinition from './compare-job'
import type { CompareJobData } from './compare-job'
import { PlayerResolver } from './players'

export const compareJob = jobScript<typeof compareDefinition>('compare.run', new URL('./compare-job.ts', import.meta.url))

/** `compare.*`: what can be compared, prompts to compare on, and side-by-side generation. */
export class CompareService implements Service {
  readonly handlers: Partial<Handlers>

  constructor(deps: { db: Db; events: EventBus; dataDir: string; jobs: JobManager }) {
    const players = new PlayerResolver(deps.db, deps.dataDir)
    this.handlers = {
      'compare.choices': () => players.choices(),
      'compare.prompts': ({ dataset, search, limit }) => {
        const { id } = new DatasetRepository(deps.db).get(dataset)
        const like = search ? `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null
        return deps.db
          .prepare("SELECT id, text FROM prompts WHERE dataset_id = ? AND (? IS NULL OR text LIKE ? ESCAPE '\\') ORDER BY id LIMIT ?")
          .all(id, like, like, limit) as { id: number; text: string }[]
      },
      'compare.run': async (input, ctx): Promise<CompareResult> => {
        const started = performance.now()
        const specs = input.players.map((ref) => players.policy(ref))
        const reference = input.reference ? players.policy(input.reference) : null
        const preference = input.preference ? players.preference(input.preference) : null
        const { request } = input
        // Immediate: a person waits for it, even while a training job holds the queue.
        const job = deps.jobs.start(
          compareJob,
          { prompt: input.prompt, players: specs, reference, preference, settings: input.settings },
          {
            label: `Compare ${specs.map((s) => s.label).join(' · ')}`,
            signal: ctx.signal,
            immediate: true,
            onData: request ? (data) => deps.events.emit('compare.tokens', { request, ...(data as CompareJobData) }) : undefined,
          },
        )
        const result = await job.result
        return {
          prompt: input.prompt,
          settings: input.settings,
          reference: reference && { ref: reference.ref, label: reference.label },
          preference: preference && { ref: preference.ref, label: preference.label },
          responses: result.responses.map((r, i) => ({
            player: specs[i].ref,
            label: specs[i].label,
            text: r.text,
            tokens: r.tokens,
            characters: r.text.length,
            finishReason: r.finishReason,
            logprob: r.logprob,
            referenceLogprob: result.referenceLogprobs?.[i] ?? null,
          })),
          pairs: result.pairs,
          warnings: result.warnings,
          seconds: (performance.now() - started) / 1000,
        }
      },
    }
  }
}
