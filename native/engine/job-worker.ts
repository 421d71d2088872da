/**
 * The entry of a job worker in the engine's build (electron-vite emits it as out/main/job-worker.js;
 * native/jobs/runner.ts starts it when it finds it beside the bundle). Jobs are found by kind in
 * the bundled table; running from source, worker-bootstrap.mjs loads them through tsx instead.
 */
import { NashlabError } from '../api/errors'
import { runJobWorker } from '../jobs/worker-run'
import { jobModules } from './job-modules'

await runJobWorker((start) => {
  const load = jobModules[start.kind]
  if (!load) throw new NashlabError('internal', `This build has no job of kind "${start.kind}" (native/engine/job-modules.ts lists the bundled jobs).`, { kind: start.kind })
  return load()
})
