/**
 * Every engine service, constructed in order from the same dependencies, one line per service.
 * Order matters: shutdown runs in reverse, so the last service stops first.
 */
import type { Db } from '../store/db'
import type { EventBus } from './events'
import type { Service } from './handlers'
import { SystemService } from './system'
import { DatasetService } from '../data/service'
import { EvalService } from '../eval/service'
import { CompareService } from '../eval/compare-service'
import { TournamentService } from '../eval/tournament-service'
import { RunService } from '../train/service'
import { GameService } from '../game/service'
import { JobService } from '../jobs/service'
import { DeviceService } from '../runtime/service'
import type { JobManager } from '../jobs/manager'
import { NashTrainService } from '../train/nashmd/service'
import { ModelService } from '../models/service'
import { TrainingService } from '../train/training-service'
import { DemoService } from '../demo/service'

export interface ServiceDeps {
  db: Db
  events: EventBus
  /** The database file as given (':memory:' in some tests). */
  database: string
  /** The data folder: models, checkpoints and uploads live under it. */
  dataDir: string
  mode: 'electron' | 'web' | 'cli'
  schemaVersion: number
  /** The engine's jobs (worker threads); services start their long work on it. */
  jobs: JobManager
}

export function createServices(deps: ServiceDeps): Service[] {
  return [
    new SystemService(deps),
    new DatasetService(deps),
    new EvalService(deps),
    new CompareService(deps),
    new TournamentService(deps),
    new RunService(deps),
    new GameService(deps),
    new JobService(deps),
    new DeviceService(deps),
    new ModelService(deps),
    new TrainingService(deps),
    // Near the end, so it stops early: its runs checkpoint and record how they ended before the jobs go.
    new NashTrainService(deps),
    // After the services it drives, so it stops first (it cancels its stage's job and waits for it).
    new DemoService(deps),
  ]
}
