import fs from 'node:fs'
import path from 'node:path'
import type { ComparisonRow, CurationResult, DatasetStats, EditSummary, FeedbackRow, JobProgress, RowPage } from '../api/contract'
import { NashlabError } from '../api/errors'
import type { EventBus } from '../engine/events'
import type { Handlers, Service } from '../engine/handlers'
import { jobScript, type JobScript } from '../jobs/define'
import type { JobManager } from '../jobs/manager'
import { WorkerJob } from '../jobs/runner'
import { DatasetEdits } from '../store/dataset-edits'
import { DatasetRows, type PageCursor } from '../store/dataset-rows'
import { DatasetStatsQueries } from '../store/dataset-stats'
import { DatasetRepository } from '../store/datasets'
import { PageAnchors } from '../store/page-anchors'
import type { Db } from '../store/db'
import { SearchIndexer, type SearchIndexName } from '../store/search-index'
import { exportDataset } from './export'
import type deleteDefinition from './delete-job'
import type exportDefinition from './export-job'
import { importPreferences } from './import'
import type importDefinition from './import-job'
import { previewImport } from './preview'
import { computeReport, type DatasetReport } from './report'
import type reportDefinition from './report-job'

export const importJob = jobScript<typeof importDefinition>('datasets.import', new URL('./import-job.ts', import.meta.url))
export const exportJob = jobScript<typeof exportDefinition>('datasets.export', new URL('./export-job.ts', import.meta.url))
export const deleteJob = jobScript<typeof deleteDefinition>('datasets.delete', new URL('./delete-job.ts', import.meta.url))
export const reportJob = jobScript<typeof reportDefinition>('datasets.report', new URL('./report-job.ts', import.meta.url))

/** Imports of files larger than this run as jobs in a worker thread (smaller ones take well under a second). */
const workerImportBytes = 8 << 20
/** Exports of datasets larger than this run as jobs in a worker thread. */
const workerExportRows = 50_000
/** Deletes of datasets with more rows than this run as jobs in a worker thread (50,000 rows take about a second). */
const workerDeleteRows = 50_000
/** Reports over more comparisons than this are computed in a worker thread. */
const workerReportRows = 50_000

/** A search indexes at most this many pending rows before answering (a few tenths of a second). */
const syncIndexRows = 5_000

/**
 * The datasets domain: listing, importing, browsing and searching, curating with undo, exporting,
 * and the annotator and preference-health reports.
 *
 * Large imports and exports run as jobs in worker threads, each on a connection of its own (the
 * engine's connection keeps answering and sees an import once it commits); small ones, and any on
 * an in-memory database, run in place.
 *
 * Writes are serialised (an import holds the write lock of its own connection for its whole
 * transaction; a curation edit waits for it instead of failing on a busy database). Aggregate
 * reports are cached until the database changes (`PRAGMA data_version` for other connections'
 * commits, `total_changes()` for this one's).
 *
 * Full-text indexing runs behind imports: in the workbench (electron, web) a background loop
 * indexes new rows in steps of a few tens of milliseconds, queued with the other writes; a
 * search over a dataset with few unindexed rows indexes them first, and the CLI always does, so
 * a command's search is complete.
 */
export class DatasetService implements Service {
  readonly handlers: Partial<Handlers>
  private writes: Promise<unknown> = Promise.resolve()
  private readonly running = new Set<AbortController>()
  private jobs = 0
  private readonly cache = new Map<string, { version: string; value: unknown }>()
  private readonly indexer: SearchIndexer
  private readonly stats: DatasetStatsQueries
  private indexing: Promise<void> | null = null
  private closed = false

  constructor(private readonly deps: { db: Db; events: EventBus; mode: 'electron' | 'web' | 'cli'; jobs?: JobManager }) {
    const { db } = deps
    this.indexer = new SearchIndexer(db)
    if (deps.mode !== 'cli') setImmediate(() => this.indexInBackground())
    const repo = new DatasetRepository(db)
    const anchors = new PageAnchors(db)
    const rows = new DatasetRows(db, anchors)
    const edits = new DatasetEdits(db, anchors)
    const stats = (this.stats = new DatasetStatsQueries(db))
    const changed = (name: string) => deps.events.emit('datasets.changed', { name })
    const curated = (name: string, edit: EditSummary | null): CurationResult => {
      const dataset = repo.get(name)
      if (edit) changed(name)
      return { dataset, edit, undoable: edits.undoable(dataset.id) }
    }

    this.handlers = {
      'datasets.list': () => repo.list(),
      'datasets.create': ({ name, description }) => {
        const created = repo.create(name, description)
        changed(name)
        return created
      },
      'datasets.show': ({ name }) => repo.get(name),
      'datasets.stats': ({ name }): DatasetStats => {
        const d = repo.get(name)
        return { ...d, ...stats.counts(d.id), undoable: edits.undoable(d.id) }
      },
      // Not queued behind training jobs (`immediate`): it is a database task of seconds, not hours.
      'datasets.delete': ({ name, inWorker }, ctx) =>
        this.write(async () => {
          const d = repo.get(name)
          const rows = d.comparisons + d.feedback + d.responses + d.prompts
          const result =
            deps.jobs && !db.memory && (inWorker ?? rows > workerDeleteRows)
              ? await deps.jobs.start(deleteJob, { database: db.name, name }, { label: `Delete dataset ${name}`, signal: ctx.signal, immediate: true }).result
              : await this.inPlace('datasets.delete', ctx.signal, async (job) => {
                  repo.delete(name, (done, total) => job.progress(done, total, 'steps', `deleting ${name}`))
                  return { deleted: name }
                })
          changed(name)
          return result
        }),
      'datasets.comparisons': async ({ name, offset, limit, query, flagged, outcome, annotator, after, before }) => {
        const d = repo.get(name)
        const cursor = pageCursor(after, before)
        if (!query?.trim()) return rows.comparisons(d.id, d.comparisons, offset, limit, { flagged, outcome, annotator }, cursor)
        await this.searchable('comparison_search')
        return this.covered('comparison_search', d.id, rows.comparisons(d.id, d.comparisons, offset, limit, { query, flagged, outcome, annotator }, cursor))
      },
      'datasets.comparison': ({ name, id }) => rows.comparison(repo.get(name).id, id),
      'datasets.feedback': async ({ name, offset, limit, query, after, before }) => {
        const d = repo.get(name)
        const cursor = pageCursor(after, before)
        if (!query?.trim()) return rows.feedback(d.id, d.feedback, offset, limit, undefined, cursor)
        await this.searchable('feedback_search')
        return this.covered('feedback_search', d.id, rows.feedback(d.id, d.feedback, offset, limit, query, cursor))
      },
      'datasets.index': async () => {
        const started = performance.now()
        const indexed = (await this.indexAll('comparison_search')) + (await this.indexAll('feedback_search'))
        return { indexed, seconds: Math.round(performance.now() - started) / 1000 }
      },
      'datasets.prompts': ({ name, offset, limit }) => {
        const d = repo.get(name)
        return rows.prompts(d.id, d.prompts, offset, limit)
      },
      'datasets.preview': (input) => previewImport(input),
      'datasets.import': (input, ctx) =>
        this.write(async () => {
          const { inWorker, ...request } = input
          const label = `Import ${path.basename(input.fileName ?? input.path ?? 'upload')} into ${input.dataset}`
          const large = input.path !== undefined ? (fs.statSync(input.path, { throwIfNoEntry: false })?.size ?? 0) > workerImportBytes : false
          const result = deps.jobs && !db.memory && (inWorker ?? large)
            ? await deps.jobs.start(importJob, { ...request, database: db.name }, { label, signal: ctx.signal }).result
            : await this.inPlace('datasets.import', ctx.signal, (job) =>
                importPreferences(db, { ...request, signal: job.signal, onProgress: (p) => job.progress(p.done, p.total, p.unit, `${p.rows.toLocaleString('en-US')} rows`) }),
              )
          changed(input.dataset)
          this.indexInBackground()
          return result
        }),
      'datasets.export': ({ name, inWorker, ...request }, ctx) => {
        const dataset = repo.get(name)
        if (deps.jobs && !db.memory && (inWorker ?? dataset.comparisons + dataset.feedback > workerExportRows)) {
          return deps.jobs.start(exportJob, { ...request, name, database: db.name }, { label: `Export ${name} as ${request.format}`, signal: ctx.signal }).result
        }
        return this.inPlace('datasets.export', ctx.signal, (job) => exportDataset(db, dataset, { ...request, signal: job.signal, onProgress: (done, total) => job.progress(done, total, 'rows') }))
      },
      'datasets.setOutcome': ({ name, ids, outcome }) => this.write(() => curated(name, edits.setOutcome(repo.get(name).id, ids, outcome))),
      'datasets.flag': ({ name, ids, flagged }) => this.write(() => curated(name, edits.flag(repo.get(name).id, ids, flagged))),
      'datasets.deleteComparisons': ({ name, ids }) => this.write(() => curated(name, edits.delete(repo.get(name).id, ids))),
      'datasets.undo': ({ name }) => this.write(() => curated(name, edits.undo(repo.get(name).id))),
      'datasets.edits': ({ name, limit }) => edits.recent(repo.get(name).id, limit),
      'datasets.annotators': async ({ name }) => (await this.report(repo.get(name))).annotators,
      'datasets.health': async ({ name }) => (await this.report(repo.get(name))).health,
    }
  }

  /** Abort running imports, exports and indexing, and wait for the writes in flight to settle. */
  async shutdown(): Promise<void> {
    this.closed = true
    for (const controller of this.running) controller.abort()
    await this.indexing
    await this.writes.catch(() => {})
  }

  /** Index every row not yet searchable (queued as writes, in steps); returns how many. */
  private async indexAll(name: SearchIndexName, background = false): Promise<number> {
    const pending = this.indexer.pending(name)
    if (pending === 0) return 0
    const job = this.job('datasets.index', new AbortController().signal)
    let indexed = 0
    try {
      for (;;) {
        if (this.closed) break
        const step = await this.write(() => this.indexer.step(name, background ? 50 : 2000))
        indexed += step.indexed
        job.progress(Math.min(indexed, pending), pending, 'rows', name === 'comparison_search' ? 'indexing comparisons for search' : 'indexing feedback for search')
        if (step.done) break
        // Let calls and I/O in between steps.
        await new Promise((resolve) => setTimeout(resolve, background ? 10 : 0))
      }
    } finally {
      job.end()
    }
    return indexed
  }

  /** Start the background indexing loop unless it runs (workbench modes only). */
  private indexInBackground(): void {
    if (this.deps.mode === 'cli' || this.indexing || this.closed) return
    this.indexing = (async () => {
      await this.indexAll('comparison_search', true)
      await this.indexAll('feedback_search', true)
    })()
      .catch((error) => console.error(`nashlab: search indexing stopped: ${(error as Error).message}`))
      .finally(() => {
        this.indexing = null
      })
  }

  /**
   * Before a search: in the CLI, index everything pending (the command's answer must be complete);
   * in the workbench, index a small backlog at once and leave a large one to the background.
   */
  private async searchable(name: SearchIndexName): Promise<void> {
    const pending = this.indexer.pending(name)
    if (pending === 0) return
    if (this.deps.mode === 'cli' || pending <= syncIndexRows) await this.indexAll(name)
    else this.indexInBackground()
  }

  private covered<T extends ComparisonRow | FeedbackRow>(name: SearchIndexName, datasetId: number, page: RowPage<T>): RowPage<T> {
    const coverage = this.indexer.coverage(name, datasetId)
    return coverage ? { ...page, searchCoverage: coverage } : page
  }

  /** Run `work` after every write queued before it; its failure does not block later writes. */
  private write<T>(work: () => T | Promise<T>): Promise<T> {
    const next = this.writes.then(work, work)
    this.writes = next.catch(() => {})
    return next
  }

  /**
   * The annotator and health reports of a dataset, computed together and kept until the database
   * changes. A large dataset's pass runs in a worker thread (not queued behind training jobs: it
   * is a short read); concurrent asks share one computation.
   */
  private report(dataset: { id: number; comparisons: number }): Promise<DatasetReport> {
    const { db } = this.deps
    const version = `${db.pragma('data_version', { simple: true })}:${db.prepare('SELECT total_changes()').pluck().get()}`
    const key = `report:${dataset.id}`
    const hit = this.cache.get(key)
    if (hit && hit.version === version) return hit.value as Promise<DatasetReport>
    const value: Promise<DatasetReport> =
      db.memory || dataset.comparisons <= workerReportRows
        ? Promise.resolve().then(() => computeReport(this.stats, dataset.id))
        : new WorkerJob(reportJob as JobScript<unknown, DatasetReport>, { database: db.name, datasetId: dataset.id }).result
    this.cache.set(key, { version, value })
    value.catch(() => this.cache.delete(key))
    return value
  }

  /**
   * Work done on the engine's thread (an in-memory database, or indexing), reported like a job:
   * `jobs.progress` events throttled to ten a second, cancelled with the call or at shutdown.
   */
  private async inPlace<T>(kind: string, callSignal: AbortSignal, work: (job: InPlaceJob) => Promise<T>): Promise<T> {
    const job = this.job(kind, callSignal)
    try {
      return await work(job)
    } finally {
      job.end()
    }
  }

  private job(kind: string, callSignal: AbortSignal): InPlaceJob & { end(): void } {
    const controller = new AbortController()
    const onAbort = () => controller.abort()
    callSignal.addEventListener('abort', onAbort, { once: true })
    this.running.add(controller)
    const id = `${kind}-${++this.jobs}`
    const started = performance.now()
    let last = 0
    let finishedSent = false
    return {
      signal: controller.signal,
      progress: (done: number, total: number | null, unit: string, message?: string) => {
        const now = performance.now()
        const finished = total !== null && done >= total
        if (finished ? finishedSent : now - last < 100) return
        finishedSent ||= finished
        last = now
        const seconds = (now - started) / 1000
        const rate = seconds > 0 && done > 0 ? done / seconds : null
        const etaSeconds = total !== null && rate !== null && seconds > 0.5 ? (total - done) / rate : null
        const payload: JobProgress = { job: id, kind, done, total, unit, rate, etaSeconds, elapsedSeconds: seconds, ...(message ? { message } : {}) }
        this.deps.events.emit('jobs.progress', payload)
      },
      end: () => {
        callSignal.removeEventListener('abort', onAbort)
        this.running.delete(controller)
      },
    }
  }
}

interface InPlaceJob {
  signal: AbortSignal
  progress(done: number, total: number | null, unit: string, message?: string): void
}

/** A page's keyset cursor from its input: the row after which, or before which, it starts (not both). */
function pageCursor(after: number | undefined, before: number | undefined): PageCursor {
  if (after !== undefined && before !== undefined) {
    throw new NashlabError('invalid_input', 'A page starts after one row or before another: give "after" or "before", not both.', { after, before })
  }
  return after !== undefined ? { after } : before !== undefined ? { before } : {}
}
