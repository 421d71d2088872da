// One line per command group (merged with git's union driver, see .gitattributes).
import type { CliCommand } from '../command'
import { autodiffCommands } from './autodiff'
import { benchCommands } from './bench'
import { datasetCommands } from './datasets'
import { deviceCommands } from './devices'
import { jobCommands } from './jobs'
import { gameCommands } from './game'
import { serveCommands } from './serve'
import { systemCommands } from './system'
import { voteCommands } from './vote'

/** Every `nashlab` subcommand, in the order `nashlab --help` lists them. */
export const commands: CliCommand[] = [
  ...systemCommands,
  ...serveCommands,
  ...datasetCommands,
  ...voteCommands,
  ...gameCommands,
  ...deviceCommands,
  ...jobCommands,
  ...autodiffCommands,
  ...benchCommands,
]
