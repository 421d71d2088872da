import type { CliCommand } from '../command'
import { datasetCommands } from './datasets'
import { deviceCommands } from './devices'
import { jobCommands } from './jobs'
import { modelCommands } from './models'
import { trainCommands } from './train'
import { serveCommands } from './serve'
import { systemCommands } from './system'
import { voteCommands } from './vote'

/** Every `nashlab` subcommand, in the order `nashlab --help` lists them. */
export const commands: CliCommand[] = [...systemCommands, ...serveCommands, ...datasetCommands, ...voteCommands, ...deviceCommands, ...jobCommands, ...modelCommands, ...trainCommands]
