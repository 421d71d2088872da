import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

/**
 * Node flags that let a child process run the engine's TypeScript sources: `--import` of tsx's
 * loader by absolute URL, so it resolves wherever the user's working folder is. Only source runs
 * (the tests, `node bin/nashlab.js`) need it; the build starts its own JavaScript entries instead,
 * so tsx is looked up only when this is called (a packaged app has no tsx).
 * (Worker threads need more on Node 20; see native/jobs/worker-bootstrap.mjs.)
 */
export function typescriptChildArgs(): string[] {
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href]
}

/**
 * Environment for a child started with `process.execPath`: under Electron that binary is Electron
 * itself, which behaves as plain Node only with ELECTRON_RUN_AS_NODE.
 */
export function childEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ELECTRON_RUN_AS_NODE: '1', ...extra }
}
