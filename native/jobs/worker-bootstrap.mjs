// The first module of every job worker. It registers tsx in this thread, then loads the worker's
// TypeScript entry. On Node 20, `new Worker(file, { execArgv: ['--import', 'tsx'] })` does not work:
// tsx deliberately skips registering inside worker threads on Node versions before 22.14, so a
// worker needs this explicit register() call from tsx's API (which works in workers on Node 20 and
// later).
import { register } from 'tsx/esm/api'

register()
await import('./worker-main.ts')
