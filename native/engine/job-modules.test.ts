import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { jobModules } from './job-modules'

const nativeRoot = fileURLToPath(new URL('..', import.meta.url))

/** Every `jobScript(kind, new URL('./file.ts', import.meta.url))` in native/ (tests and their fixtures aside): kind → absolute file. */
function declaredJobs(): Map<string, string> {
  const found = new Map<string, string>()
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== 'fixtures') walk(full)
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        const text = fs.readFileSync(full, 'utf8')
        for (const m of text.matchAll(/jobScript<[^>]+>\(\s*'([^']+)',\s*new URL\('([^']+)', import\.meta\.url\)/g)) found.set(m[1], path.resolve(dir, m[2]))
      }
    }
  }
  walk(nativeRoot)
  return found
}

describe('the bundled job table', () => {
  it('lists every job script of the engine, and each loads a job definition', async () => {
    const declared = declaredJobs()
    expect(declared.size).toBeGreaterThanOrEqual(10)
    expect(Object.keys(jobModules).sort()).toEqual([...declared.keys()].sort())
    const table = fs.readFileSync(fileURLToPath(new URL('./job-modules.ts', import.meta.url)), 'utf8')
    for (const [kind, file] of declared) {
      // The table imports the same file the service names (extensionless, relative to native/engine).
      const relative = path.relative(path.dirname(fileURLToPath(import.meta.url)), file).replace(/\.ts$/, '')
      expect(table, kind).toContain(`'${relative.startsWith('.') ? relative : `./${relative}`}'`)
    }
    const bench = await jobModules['devices.bench']()
    expect(typeof bench.default?.run).toBe('function')
  })
})
