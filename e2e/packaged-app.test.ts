import { execFile } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeviceList } from '../native/api/devices'
import { projectRoot } from '../native/server/paths'
import { packagedApp, type PackagedApp } from './packaged-app'

const run = promisify(execFile)
let packaged: PackagedApp

beforeAll(() => {
  packaged = packagedApp()
})
afterAll(() => packaged?.remove())

/** Every bare module name the files of out/main import (statically or dynamically). */
function bundleImports(): Set<string> {
  const names = new Set<string>()
  const dir = path.join(projectRoot, 'out', 'main')
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8')
    const statements = [/^(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gm, /^import\s*"([^"]+)"/gm, /\bimport\(\s*"([^"]+)"\s*\)/g, /\brequire\(\s*"([^"]+)"\s*\)/g]
    for (const pattern of statements) for (const match of text.matchAll(pattern)) if (!/^[./]/.test(match[1])) names.add(match[1])
  }
  return names
}

describe('the build, installed without TypeScript sources or tsx', () => {
  it('imports only Node built-ins, Electron and production dependencies other than tsx; native modules stay external', () => {
    const dependencies = Object.keys((JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies)
    const imports = bundleImports()
    expect(imports).toContain('onnxruntime-node')
    expect(imports).toContain('better-sqlite3')
    const packages = [...imports].filter((n) => !n.startsWith('node:') && n !== 'electron').map((n) => (n.startsWith('@') ? n.split('/').slice(0, 2).join('/') : n.split('/')[0]))
    expect(packages.filter((n) => !dependencies.includes(n) || n === 'tsx')).toEqual([])
    // The package really has no tsx to fall back on.
    expect(() => createRequire(path.join(packaged.app, 'out', 'main', 'index.js')).resolve('tsx')).toThrow()
    expect(fs.existsSync(path.join(packaged.app, 'native'))).toBe(false)
  })

  it('runs the built device probe child with plain node: CPU answers', async () => {
    const child = path.join(packaged.app, 'out', 'main', 'probe-child.js')
    const { stdout } = await run(process.execPath, [child, 'cpu'], { env: packaged.env })
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ ok: true, milliseconds: expect.any(Number) })
  })

  it('runs the built CLI with plain node: devices --json probes CPU in the built child', async () => {
    const { stdout } = await run(process.execPath, [path.join(packaged.app, 'out', 'main', 'cli.js'), 'devices', '--json'], { env: packaged.env })
    const devices = JSON.parse(stdout) as DeviceList
    expect(devices.providers.map((p) => p.provider)).toEqual(['cpu', 'cuda', 'dml', 'webgpu'])
    expect(devices.providers[0]).toMatchObject({ provider: 'cpu', usable: true, reason: null })
    expect(devices.providers[0].probeMilliseconds).toBeGreaterThan(0)
    expect(devices.providers.find((p) => p.provider === devices.preferred)?.usable).toBe(true)
  })

  it('runs the CLI through the launcher: import and list datasets in the data folder, the import job in the built worker', async () => {
    const file = path.join(packaged.root, 'prefs.jsonl')
    fs.writeFileSync(file, '{"prompt":"p1","chosen":"a","rejected":"b"}\n{"prompt":"p2","chosen":"c","rejected":"d"}\n')
    const imported = await run(packaged.launcher, ['import', file, '--dataset', 'packaged', '--json'], { env: packaged.env })
    expect(JSON.parse(imported.stdout)).toMatchObject({ rows: 2, comparisons: 2, dataset: { name: 'packaged', prompts: 2 } })
    const listed = await run(packaged.launcher, ['datasets', 'list', '--json'], { env: packaged.env })
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: 'packaged', prompts: 2, comparisons: 2 })])
    const info = await run(packaged.launcher, ['info', '--json'], { env: packaged.env })
    expect(JSON.parse(info.stdout)).toMatchObject({ database: path.join(packaged.env.NASHLAB_HOME!, 'nashlab.db'), mode: 'cli' })
  })

  it('the launcher fails with one line when it finds no app binary', async () => {
    fs.rmSync(path.join(packaged.root, 'nashlab'))
    const failed = await run(packaged.launcher, ['devices'], { env: packaged.env }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    )
    expect(failed?.code).toBe(1)
    expect(failed?.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^nashlab: found no Nashlab binary beside .*resources/)])
  })
})
