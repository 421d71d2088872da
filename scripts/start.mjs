#!/usr/bin/env node
/**
 * `npm start`: build the workbench, then open it in Electron on the user's data (the embedded demo
 * project is imported at the first start). Where Electron's binary is not installed (an offline
 * install) or there is no display, say so in one line and start the web mode instead, printing the
 * URL. `npm run web` (`--web`) always starts the web mode. Other flags go to `nashlab serve`
 * (for example `npm run web -- --port 8080`).
 */
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const argv = process.argv.slice(2)
const forceWeb = argv.includes('--web')
const serveArgs = argv.filter((a) => a !== '--web')

const build = spawnSync(path.join(root, 'node_modules', '.bin', 'electron-vite'), ['build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
if (build.status !== 0) process.exit(build.status ?? 1)

/** Why Electron cannot open a window here, or null when it can. */
function electronUnavailable() {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)'
  const dir = path.join(root, 'node_modules', 'electron')
  if (!fs.existsSync(dir)) return 'the electron package is not installed'
  const pathFile = path.join(dir, 'path.txt')
  const installed = () => fs.existsSync(pathFile) && fs.existsSync(path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(dir, 'dist'), fs.readFileSync(pathFile, 'utf8')))
  if (!installed()) {
    // Electron fetches its binary on first use; offline this fails at once.
    const fetched = spawnSync(process.execPath, [path.join(dir, 'install.js')], { stdio: 'ignore', timeout: 300_000 })
    if (fetched.status !== 0 || !installed()) return "Electron's binary is not installed and could not be downloaded"
  }
  const native = spawnSync(process.execPath, [path.join(root, 'scripts', 'electron-native.mjs')], { encoding: 'utf8' })
  if (native.status !== 0) return native.stdout.trim() || 'the database module could not be prepared for Electron'
  return null
}

const reason = forceWeb ? null : electronUnavailable()
if (!forceWeb && !reason) {
  const electronBin = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(root, 'node_modules', 'electron', 'dist'), fs.readFileSync(path.join(root, 'node_modules', 'electron', 'path.txt'), 'utf8'))
  const child = spawn(electronBin, [root], { stdio: 'inherit' })
  child.on('exit', (code) => process.exit(code ?? 0))
} else {
  if (reason) console.log(`Nashlab: cannot open the Electron window (${reason}); starting the web mode instead.`)
  const child = spawn(process.execPath, [path.join(root, 'bin', 'nashlab.js'), 'serve', '--demo', ...serveArgs], { stdio: 'inherit' })
  const stop = () => child.kill('SIGINT')
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  child.on('exit', (code) => process.exit(code ?? 0))
}
