import type { Db } from '../store/db'
import { algorithms } from './algorithms'
import type { Handlers, Service } from '../engine/handlers'
import { datasetMatrix, datasetPrompts } from './dataset-matrix'
import { presets, randomPreset } from './presets'
import { matrixNash, solveGame } from './solution'
import { tournamentChoices, tournamentMatrix } from './tournament-matrix'

/** The game lab: exact equilibria and tabular dynamics on finite preference games. */
export class GameService implements Service {
  readonly handlers: Partial<Handlers>

  constructor(deps: { db: Db }) {
    this.handlers = {
      'game.presets': () => presets(),
      'game.algorithms': () => algorithms,
      'game.random': ({ n, seed }) => randomPreset(n, seed),
      'game.solve': (input) => solveGame(input),
      'game.nash': ({ P }) => matrixNash(P),
      'game.datasetPrompts': ({ dataset, limit }) => datasetPrompts(deps.db, dataset, limit),
      'game.fromDataset': ({ dataset, prompt }) => datasetMatrix(deps.db, dataset, prompt),
      'game.tournaments': () => tournamentChoices(deps.db),
      'game.fromTournament': ({ tournament }) => tournamentMatrix(deps.db, tournament),
    }
  }
}
