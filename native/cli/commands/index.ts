import type { CliCommand } from '../command'
import { autodiffCommands } from './autodiff'
import { benchCommands } from './bench'
import { datasetCommands } from './datasets'
import { serveCommands } from './serve'
import { systemCommands } from './system'

/** Every `nashlab` subcommand, in the order `nashlab --help` lists them. */
export const commands: CliCommand[] = [...systemCommands, ...serveCommands, ...datasetCommands, ...autodiffCommands, ...benchCommands]
