import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect, test } from 'vitest'
import { Engine } from '../engine/engine'
import { demoDataset, seedDemo } from './seed'

test('the demo is imported at the first start only, and stays deleted when the user deletes it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-seed-'))
  const engine = new Engine({ database: path.join(dir, 'nashlab.db'), mode: 'cli' })
  try {
    expect(await seedDemo(engine)).toBe(true)
    const demo = await engine.call('datasets.show', { name: demoDataset })
    expect(demo.comparisons).toBe(600)
    expect(demo.responses).toBeGreaterThanOrEqual(3)
    await engine.call('datasets.delete', { name: demoDataset })
    expect(await seedDemo(engine)).toBe(false)
    expect(await engine.call('datasets.list', {})).toEqual([])
  } finally {
    await engine.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
