// One line per command group.
import type { CliCommand } from '../command'
import { autodiffCommands } from './autodiff'
import { benchCommands } from './bench'
import { datasetCommands } from './datasets'
import { deviceCommands } from './devices'
import { jobCommands } from './jobs'
import { gameCommands } from './game'
import { modelCommands } from './models'
import { trainCommands } from './train'
import { serveCommands } from './serve'
import { systemCommands } from './system'
import { voteCommands } from './vote'
import { compareCommands } from './compare'
import { tournamentCommands } from './tournament'
import { nashmdCommands } from './nashmd'
import { runCommands } from './runs'
import { demoCommands } from './demo'

/** Every `nashlab` subcommand, in the order `nashlab --help` lists them. */
export const commands: CliCommand[] = [
  ...systemCommands,
  ...serveCommands,
  ...datasetCommands,
  ...voteCommands,
  ...compareCommands,
  ...tournamentCommands,
  ...gameCommands,
  ...deviceCommands,
  ...jobCommands,
  ...modelCommands,
  ...trainCommands,
  ...nashmdCommands,
  ...runCommands,
  ...demoCommands,
  ...autodiffCommands,
  ...benchCommands,
]
