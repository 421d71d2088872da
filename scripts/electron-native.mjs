#!/usr/bin/env node
/**
 * better-sqlite3 is a V8 addon, so the build npm made for Node cannot load in Electron (another
 * ABI), and rebuilding it in place would break the CLI and the tests. This script makes a second
 * copy for Electron's ABI in out/electron-native/better_sqlite3.node (the engine loads it through
 * better-sqlite3's `nativeBinding` option when it runs inside Electron): the prebuilt binary for
 * this Electron version when it can be downloaded, else a build from source against Electron's
 * headers. onnxruntime-node is an N-API addon and loads in both as it is.
 * Exits 0 when the file exists afterwards; prints one line and exits 1 otherwise.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const electronVersion = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version
const target = path.join(root, 'out', 'electron-native', 'better_sqlite3.node')
const stamp = `${target}.version`

if (fs.existsSync(target) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === electronVersion) process.exit(0)

const source = path.join(root, 'node_modules', 'better-sqlite3')
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-sqlite-electron-'))
try {
  fs.cpSync(source, work, { recursive: true, filter: (file) => !file.startsWith(path.join(source, 'build')) })
  const quiet = { cwd: work, stdio: 'ignore', timeout: 600_000 }
  const prebuilt = spawnSync(process.execPath, [path.join(root, 'node_modules', 'prebuild-install', 'bin.js'), '--runtime', 'electron', '--target', electronVersion, '--arch', process.arch], quiet)
  if (prebuilt.status !== 0) {
    spawnSync(
      process.execPath,
      [path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'), 'rebuild', '--release', '--runtime=electron', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers'],
      quiet,
    )
  }
  const built = path.join(work, 'build', 'Release', 'better_sqlite3.node')
  if (!fs.existsSync(built)) {
    console.log(`could not build better-sqlite3 for Electron ${electronVersion} (no prebuilt binary could be downloaded and the headers build failed)`)
    process.exit(1)
  }
  fs.mkdirSync(path.dirname(target), { recursive: true })
  fs.copyFileSync(built, target)
  fs.writeFileSync(stamp, electronVersion)
} finally {
  fs.rmSync(work, { recursive: true, force: true })
}
