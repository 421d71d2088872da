import * as m001 from './001_initial'
import * as m002 from './002_datasets_at_scale'

/** One entry per schema step, in order. The database's `user_version` is the number applied. */
export const migrations: { version: number; name: string; up: string }[] = [
  { version: 1, name: 'initial', up: m001.up },
  { version: 2, name: 'datasets at scale', up: m002.up },
]

export const latestVersion = migrations[migrations.length - 1].version
