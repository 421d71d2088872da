// The first module of a mixture member's thread run from source: it registers tsx in this thread
// (on Node 20 tsx skips worker threads unless asked, see native/jobs/worker-bootstrap.mjs), then
// loads the thread's TypeScript entry.
import { register } from 'tsx/esm/api'

register()
await import('./member-worker.ts')
