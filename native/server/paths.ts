import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The project root (this file is native/server/paths.ts). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
/** Where `electron-vite build` puts the renderer. */
export const rendererDist = path.join(projectRoot, 'out', 'renderer')
