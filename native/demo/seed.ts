import fs from 'node:fs'
import path from 'node:path'
import type { Engine } from '../engine/engine'
import { projectRoot } from '../server/paths'

export const demoDataset = 'restaurants (demo)'

/**
 * Where the shipped demo files live: beside the sources, or in a packaged app's resources folder
 * (Electron's `process.resourcesPath`; the parent of app.asar, the project root of the build, also
 * when the command line runs in Node mode).
 */
export function demoResources(): string {
  const packaged = (process as { resourcesPath?: string }).resourcesPath
  const candidates = [path.join(projectRoot, 'resources', 'demo'), ...(packaged ? [path.join(packaged, 'demo')] : []), path.join(projectRoot, '..', 'demo')]
  return candidates.find((dir) => fs.existsSync(dir)) ?? candidates[0]
}

/**
 * At the first start on a data folder, import the embedded demo data so the workbench opens on
 * something to look at; with `run`, also start the quick demo in the background (demo.run: its
 * models, runs, tournaments and report appear as they finish). A marker file records that it was
 * done, so a user who deletes the demo does not get it back.
 */
export async function seedDemo(engine: Engine, options: { run?: boolean } = {}): Promise<boolean> {
  const marker = path.join(engine.dataDir, '.demo-seeded')
  if (fs.existsSync(marker)) return false
  const existing = await engine.call('datasets.list', {})
  if (!existing.some((d) => d.name === demoDataset)) {
    await engine.call('datasets.import', { dataset: demoDataset, path: path.join(demoResources(), 'restaurants.jsonl') })
  }
  fs.writeFileSync(marker, `${new Date().toISOString()}\n`)
  if (options.run) await engine.call('demo.run', { mode: 'quick' })
  return true
}
