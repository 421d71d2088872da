import fs from 'node:fs'
import path from 'node:path'
import type { EventBus } from '../engine/events'
import type { Handlers, Service } from '../engine/handlers'
import type { Db } from '../store/db'
import { DatasetRepository } from '../store/datasets'
import { storeGeneratedResponses } from '../store/response-origins'
import { PlayerResolver } from './players'
import { exportVotes } from './vote-export'
import { VoteBooth } from './votes'

/** Blind voting: over a dataset's response pairs, or over the responses of a side-by-side comparison. */
export class EvalService implements Service {
  readonly handlers: Partial<Handlers>

  constructor(deps: { db: Db; events: EventBus; dataDir: string }) {
    const booth = new VoteBooth(deps.db)
    const players = new PlayerResolver(deps.db, deps.dataDir)
    const changed = (session: string) => deps.events.emit('datasets.changed', { name: booth.info(session).into })
    this.handlers = {
      'votes.start': (input) => booth.start(input),
      'votes.next': ({ session }) => booth.next(session),
      'votes.cast': ({ session, pair, choice }) => {
        const result = booth.cast(session, pair, choice)
        changed(session)
        return result
      },
      'votes.skip': ({ session, pair }) => booth.skip(session, pair),
      'votes.undo': ({ session }) => {
        const result = booth.undo(session)
        changed(session)
        return result
      },
      'votes.export': (input) => {
        if (input.path) return exportVotes(deps.db, { ...input, path: input.path })
        const folder = path.join(deps.dataDir, 'exports')
        fs.mkdirSync(folder, { recursive: true })
        return exportVotes(deps.db, { ...input, path: path.join(folder, `${input.dataset.replace(/[^\w.-]+/g, '_')}.votes.jsonl`) })
      },
      'compare.vote': (input) => {
        const origins = input.responses.map((r) => {
          const spec = players.policy(r.player)
          return { player: spec.ref, modelId: spec.modelId, checkpointId: spec.checkpointId, text: r.text, settings: input.settings }
        })
        deps.db.transaction(() => storeGeneratedResponses(deps.db, new DatasetRepository(deps.db).ensure(input.into), input.prompt, origins))()
        deps.events.emit('datasets.changed', { name: input.into })
        return booth.startPairs({ prompt: input.prompt, responses: input.responses.map((r) => r.text), into: input.into, annotator: input.annotator, seed: input.seed })
      },
    }
  }
}
