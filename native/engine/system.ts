import os from 'node:os'
import path from 'node:path'
import type { Db } from '../store/db'
import type { Handlers, Service } from './handlers'
import { packageVersion } from './version'

export class SystemService implements Service {
  readonly handlers: Partial<Handlers>

  constructor(deps: { db: Db; database: string; mode: 'electron' | 'web' | 'cli'; schemaVersion: number }) {
    this.handlers = {
      'system.info': () => ({
        version: packageVersion,
        database: deps.database === ':memory:' ? ':memory:' : path.resolve(deps.database),
        schemaVersion: deps.schemaVersion,
        mode: deps.mode,
        platform: `${process.platform}-${process.arch}`,
        cores: os.availableParallelism(),
      }),
    }
  }
}
