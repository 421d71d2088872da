import { execFile } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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
})
