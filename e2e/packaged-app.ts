/**
 * A folder laid out like an installed Linux package of the workbench (electron-builder's output,
 * see electron-builder.yml), made from this checkout's `electron-vite build`:
 *
 *   nashlab                        the app's binary
 *   resources/app.asar/            package.json, out/ (main, preload, renderer), node_modules/
 *   resources/cli/nashlab          the command-line launcher (resources/cli/ of the checkout)
 *
 * It has no native/, no bin/ and no tsx, so whatever runs from it shows that the build needs no
 * TypeScript sources. Three differences from a real package: app.asar is a plain folder; the
 * binary is a link to this Node, which ignores ELECTRON_RUN_AS_NODE where Electron's binary needs
 * it; node_modules links the checkout's production dependencies (built for Node, not rebuilt for
 * Electron); tsx is a development dependency, so it is not among them.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { projectRoot } from '../native/server/paths'

export interface PackagedApp {
  /** The install folder. */
  root: string
  /** resources/app.asar: what electron-builder packs from `files`. */
  app: string
  /** resources/cli/nashlab. */
  launcher: string
  /** Environment for a command run from the package: a fresh data folder, no loader flags. */
  env: NodeJS.ProcessEnv
  remove(): void
}

const checkoutOut = path.join(projectRoot, 'out')

export function packagedApp(): PackagedApp {
  if (!fs.existsSync(path.join(checkoutOut, 'main', 'index.js'))) throw new Error(`The main process is not built (${checkoutOut}); run "npm run build" before the end-to-end tests.`)
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-packaged-'))
  const resources = path.join(root, 'resources')
  const app = path.join(resources, 'app.asar')
  fs.mkdirSync(app, { recursive: true })
  fs.copyFileSync(path.join(projectRoot, 'package.json'), path.join(app, 'package.json'))
  // Copies, not links: Node resolves a module's imports from its real path, which must be inside the package.
  for (const part of ['main', 'preload', 'renderer']) fs.cpSync(path.join(checkoutOut, part), path.join(app, 'out', part), { recursive: true })
  const modules = fs.realpathSync(path.join(projectRoot, 'node_modules'))
  const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
  for (const name of Object.keys(pkg.dependencies)) {
    const link = path.join(app, 'node_modules', name)
    fs.mkdirSync(path.dirname(link), { recursive: true })
    fs.symlinkSync(path.join(modules, name), link, 'dir')
  }
  fs.cpSync(path.join(projectRoot, 'resources', 'cli'), path.join(resources, 'cli'), { recursive: true })
  fs.symlinkSync(process.execPath, path.join(root, 'nashlab'))
  const env: NodeJS.ProcessEnv = { ...process.env, NASHLAB_HOME: path.join(root, 'home') }
  for (const name of ['NODE_OPTIONS', 'NASHLAB_DB', 'ELECTRON_RUN_AS_NODE']) delete env[name]
  return { root, app, launcher: path.join(resources, 'cli', 'nashlab'), env, remove: () => fs.rmSync(root, { recursive: true, force: true }) }
}
