import type { EventBus } from '../engine/events'
import type { Handlers, Service } from '../engine/handlers'
import type { Db } from '../store/db'
import { VoteBooth } from './votes'

/** Blind voting (and, later, tournaments). */
export class EvalService implements Service {
  readonly handlers: Partial<Handlers>

  constructor(deps: { db: Db; events: EventBus }) {
    const booth = new VoteBooth(deps.db)
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
    }
  }
}
