import type { EventBus } from '../engine/events'
import type { Handlers, Service } from '../engine/handlers'
import { DatasetRepository } from '../store/datasets'
import type { Db } from '../store/db'
import { importPreferences } from './import'

export class DatasetService implements Service {
  readonly handlers: Partial<Handlers>

  constructor(deps: { db: Db; events: EventBus }) {
    const repo = new DatasetRepository(deps.db)
    const changed = (name: string) => deps.events.emit('datasets.changed', { name })
    this.handlers = {
      'datasets.list': () => repo.list(),
      'datasets.create': ({ name, description }) => {
        const created = repo.create(name, description)
        changed(name)
        return created
      },
      'datasets.show': ({ name }) => repo.get(name),
      'datasets.delete': ({ name }) => {
        repo.delete(name)
        changed(name)
        return { deleted: name }
      },
      'datasets.comparisons': ({ name, offset, limit }) => repo.comparisons(name, offset, limit),
      'datasets.import': (input) => {
        const result = importPreferences(deps.db, input)
        changed(input.dataset)
        return result
      },
    }
  }
}
