import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The project root: the nearest folder above this module with Nashlab's package.json. Walking up
 * (rather than counting `..`) keeps it right both from source (native/server/) and from the
 * bundled Electron main process (out/main/).
 */
function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json')
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'nashlab') return dir
    if (path.dirname(dir) === dir) return path.resolve(start, '..', '..')
  }
}

export const projectRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)))
/** Where `electron-vite build` puts the renderer. */
export const rendererDist = path.join(projectRoot, 'out', 'renderer')
