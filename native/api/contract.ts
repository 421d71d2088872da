/**
 * The one engine contract. Every front door (Electron IPC, the local web server, the CLI) and the
 * renderer are typed from this file; a renamed method or field fails to compile everywhere.
 * Domain files declare their methods; this file only joins them.
 */
import type { z } from 'zod'
import type { MethodDef } from './define'
import { systemMethods } from './system'
import { datasetMethods } from './datasets'
import { deviceMethods } from './devices'
import { jobMethods } from './jobs'
import { voteMethods } from './votes'
import { runMethods } from './runs'
import { gameMethods } from './game'
import { compareMethods } from './compare'
import { tournamentMethods } from './tournaments'
import { modelMethods } from './models'
import { generateMethods } from './generate'
import { trainMethods } from './train'
import { demoMethods } from './demo'

export const methods = {
  ...systemMethods,
  ...datasetMethods,
  ...deviceMethods,
  ...jobMethods,
  ...voteMethods,
  ...runMethods,
  ...gameMethods,
  ...compareMethods,
  ...tournamentMethods,
  ...modelMethods,
  ...generateMethods,
  ...trainMethods,
  ...demoMethods,
}

export type Methods = typeof methods
export type MethodName = keyof Methods
/** What a caller sends (defaults may be omitted). */
export type Input<M extends MethodName> = z.input<Methods[M]['input']>
/** What a handler receives, after validation and defaults. */
export type ParsedInput<M extends MethodName> = z.output<Methods[M]['input']>
export type Output<M extends MethodName> = Methods[M] extends MethodDef<z.ZodType, infer O> ? O : never

export type { Events, EventName, JobProgress, RunMetricsEvent } from './events'
export type { ErrorShape, ErrorCode } from './errors'
export * from './datasets'
export * from './system'
export * from './devices'
export * from './jobs'
export * from './votes'
export * from './runs'
export * from './game'
export * from './compare'
export * from './tournaments'
export * from './nashmd'
export * from './models'
export * from './generate'
export * from './train'
export * from './demo'

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name)
}
