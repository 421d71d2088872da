import type { SystemInfo } from '../../api/contract'
import type { CliCommand } from '../command'

export const systemCommands: CliCommand[] = [
  {
    words: ['info'],
    usage: 'nashlab info [--json]',
    summary: 'Version, database path and schema version',
    run: (_args, ctx) => ctx.engine().call('system.info', {}),
    format: (i: SystemInfo) => `Nashlab ${i.version}\ndatabase: ${i.database} (schema ${i.schemaVersion})\nplatform: ${i.platform}, ${i.cores} cores`,
  },
]
