import { z } from 'zod'
import { method } from './define'

export interface SystemInfo {
  version: string
  /** Absolute path of the open database file. */
  database: string
  schemaVersion: number
  /** Which front door this engine is served through. */
  mode: 'electron' | 'web' | 'cli'
  platform: string
  cores: number
}

export const systemMethods = {
  'system.info': method<SystemInfo>()(z.object({}).strict(), 'Version, database path and schema version of the running engine'),
}
