import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect, test } from 'vitest'
// @ts-expect-error plain JavaScript module without types
import { checkImports, importsOf } from './check-imports.mjs'

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-imports-'))
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true })
    fs.writeFileSync(path.join(root, name), text)
  }
  return root
}

test('the project itself keeps its import boundaries', () => {
  expect(checkImports(path.resolve(__dirname, '..'))).toEqual([])
})

test('each wrong arrow is reported with file and line', () => {
  const root = tree({
    'native/a.ts': "import { app } from 'electron'\nimport x from '../renderer/src/x'\n",
    'native/api/b.ts': "import fs from 'node:fs'\n",
    'renderer/src/c.ts': "import { Engine } from '../../native/engine/engine'\nimport { methods } from '../../native/api/contract'\nimport type { Input } from '../../native/api/contract'\nimport { type A, type B } from '../../native/api/contract'\n",
    'electron/main/d.ts': "import '../../renderer/src/main'\n",
  })
  const problems = checkImports(root) as string[]
  expect(problems).toEqual([
    expect.stringMatching(/^native\/a\.ts:1: native\/ must not import electron/),
    expect.stringMatching(/^native\/a\.ts:2: native\/ must not import renderer\//),
    expect.stringMatching(/^native\/api\/b\.ts:1: .*Node built-ins/),
    expect.stringMatching(/^renderer\/src\/c\.ts:1: renderer\/ may import only native\/api\//),
    expect.stringMatching(/^renderer\/src\/c\.ts:2: .*must be type-only/),
    expect.stringMatching(/^electron\/main\/d\.ts:1: electron\/ must not import renderer\//),
  ])
})

test('type-only forms are recognised', () => {
  expect(importsOf("import type { A } from './x'")[0].typeOnly).toBe(true)
  expect(importsOf("import { type A, type B } from './x'")[0].typeOnly).toBe(true)
  expect(importsOf("import { type A, B } from './x'")[0].typeOnly).toBe(false)
  expect(importsOf("const m = import('./lazy')")[0].specifier).toBe('./lazy')
})
