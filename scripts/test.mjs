#!/usr/bin/env node
/**
 * `npm test`: every quality gate in order, stopping at the first failure —
 * lint, type checks, import boundaries, the build the end-to-end tests load, then all vitest
 * projects (unit, renderer, end-to-end in Chromium). Ends with one "N passed, N failed" line.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => path.join(root, 'node_modules', '.bin', name)
const report = path.join(root, 'test-output', 'vitest.json')

const steps = [
  ['lint', bin('eslint'), ['--max-warnings', '0', '.']],
  ['type check (engine, electron)', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']],
  ['type check (end-to-end tests)', bin('tsc'), ['-p', 'e2e/tsconfig.json', '--noEmit']],
  ['type check (renderer)', bin('vue-tsc'), ['-p', 'renderer/tsconfig.json', '--noEmit']],
  ['import boundaries', process.execPath, ['scripts/check-imports.mjs']],
  ['build', bin('electron-vite'), ['build', '--logLevel', 'warn']],
  ['tests', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)]],
]

fs.mkdirSync(path.dirname(report), { recursive: true })
fs.rmSync(report, { force: true })
for (const [name, command, args] of steps) {
  const started = Date.now()
  console.log(`\n▶ ${name}`)
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : process.env.FORCE_COLOR } })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  if (result.status !== 0) {
    console.error(`\n✗ ${name} failed (${seconds} s)`)
    summarize()
    process.exit(result.status ?? 1)
  }
  console.log(`✓ ${name} (${seconds} s)`)
}
if (!summarize()) process.exit(1)

/** Print the closing count line from vitest's JSON report; false when no test ran. */
function summarize() {
  if (!fs.existsSync(report)) return false
  const r = JSON.parse(fs.readFileSync(report, 'utf8'))
  const skipped = r.numPendingTests + r.numTodoTests
  console.log(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`)
  return r.numTotalTests > 0
}
