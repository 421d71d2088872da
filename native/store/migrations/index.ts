import * as m001 from './001_initial'
import * as m002 from './002_models'
import * as m003 from './003_response_origins'
import * as m004 from './004_datasets_at_scale'
import * as m005 from './005_page_order'
import * as m006 from './006_feedback_prompt_order'
import * as m007 from './007_filter_counts'

/** One entry per schema step, in order. The database's `user_version` is the number applied. */
export const migrations: { version: number; name: string; up: string }[] = [
  { version: 1, name: 'initial', up: m001.up },
  { version: 2, name: 'models', up: m002.up },
  { version: 3, name: 'response origins', up: m003.up },
  { version: 4, name: 'datasets at scale', up: m004.up },
  { version: 5, name: 'page order', up: m005.up },
  { version: 6, name: 'feedback and prompt order', up: m006.up },
  { version: 7, name: 'filter counts', up: m007.up },
]

export const latestVersion = migrations[migrations.length - 1].version
