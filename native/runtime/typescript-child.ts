import fs from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

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

/**
 * The build's own entry `file` (job-worker.js, probe-child.js, cli.js) when it sits beside the
 * module at `moduleUrl`, that is when the engine runs from electron-vite's output; undefined in a
 * source run, which starts the TypeScript file through tsx instead.
 */
export function builtEntry(file: string, moduleUrl: URL | string): URL | undefined {
  const built = new URL(`./${file}`, moduleUrl)
  return built.protocol === 'file:' && fs.existsSync(fileURLToPath(built)) ? built : undefined
}
