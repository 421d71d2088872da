import os from 'node:os'
import path from 'node:path'
import type { z } from 'zod'
import { isMethodName, methods, type Input, type MethodName, type Output } from '../api/contract'
import { NashlabError } from '../api/errors'
import { openDatabase, schemaVersion, type Db } from '../store/db'
import { EventBus } from './events'
import type { CallContext, Handlers, Service } from './handlers'
import { createServices } from './services'
import { RunService } from '../train/service'
import { JobManager } from '../jobs/manager'
import { ModelService } from '../models/service'
import { DemoService } from '../demo/service'

export interface EngineOptions {
  /** Database file; the data folder holding models and checkpoints is its folder. */
  database: string
  mode: 'electron' | 'web' | 'cli'
}

/**
 * The engine: one database, the services wired in order, and `call()` — the single entry every
 * front door uses. Inputs are validated against the contract's schemas here, once.
 */
export class Engine {
  readonly db: Db
  readonly events = new EventBus()
  readonly dataDir: string
  /** Where services start their long work (training, evaluation): worker threads with progress, pause, cancel. */
  readonly jobs: JobManager
  private readonly handlers: Handlers
  private readonly services: Service[]
  /** Training runs: trainers log metrics and status through it. */
  readonly runs: RunService
  /** Models: the catalogue (create, import, register, export) and generation. */
  readonly models: ModelService

  constructor(readonly options: EngineOptions) {
    this.db = openDatabase(options.database)
    this.dataDir = options.database === ':memory:' ? os.tmpdir() : path.dirname(path.resolve(options.database))
    this.jobs = new JobManager({ emit: (event, payload) => this.events.emit(event, payload) })
    this.services = createServices({
      db: this.db,
      jobs: this.jobs,
      events: this.events,
      database: options.database,
      dataDir: this.dataDir,
      mode: options.mode,
      schemaVersion: schemaVersion(this.db),
    })
    this.runs = this.service(RunService)
    this.models = this.service(ModelService)
    // The demo drives the engine's own methods.
    this.service(DemoService).attach(this)
    const merged: Partial<Handlers> = {}
    for (const service of this.services) Object.assign(merged, service.handlers)
    const missing = (Object.keys(methods) as MethodName[]).filter((m) => !(m in merged))
    if (missing.length > 0) throw new Error(`contract methods without a handler: ${missing.join(', ')}`)
    this.handlers = merged as Handlers
  }

  /** The running instance of a service class (for engine-internal callers such as trainers). */
  service<T extends Service>(type: new (...args: never[]) => T): T {
    const found = this.services.find((s): s is T => s instanceof type)
    if (!found) throw new Error(`no ${type.name} is running`)
    return found
  }

  /**
   * Validate `input` against the method's schema and run its handler. The untyped form is for
   * names only known at run time (a request off the wire); a contract name never matches it, so a
   * typed call is checked against its own input (overload resolution would otherwise pick the
   * untyped form for inputs held in variables).
   */
  async call<M extends MethodName>(name: M, input: NoInfer<Input<M>>, ctx?: Partial<CallContext>): Promise<Output<M>>
  async call<N extends string>(name: N extends MethodName ? never : N, input: unknown, ctx?: Partial<CallContext>): Promise<unknown>
  async call(name: string, input: unknown, ctx: Partial<CallContext> = {}): Promise<unknown> {
    if (!isMethodName(name)) throw new NashlabError('unknown_method', `There is no method named "${name}".`, { method: name })
    const parsed = parseInput(name, input)
    const handler = this.handlers[name] as (input: unknown, ctx: CallContext) => unknown
    return handler(parsed, { signal: ctx.signal ?? new AbortController().signal })
  }

  async close(): Promise<void> {
    for (const service of [...this.services].reverse()) await service.shutdown?.()
    this.db.close()
  }
}

/** Parse a method's input, turning schema failures into one readable sentence naming the field. */
export function parseInput(name: MethodName, input: unknown): unknown {
  const schema = methods[name].input as z.ZodType
  const result = schema.safeParse(input ?? {})
  if (result.success) return result.data
  const issues = result.error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || '(input)',
    message: issue.message,
  }))
  const first = issues[0]
  const where = first.field === '(input)' ? 'the input' : `field "${first.field}"`
  throw new NashlabError('invalid_input', `Invalid input to ${name}: ${where}: ${first.message}.`, { method: name, issues })
}
