import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, test } from 'vitest'

const run = promisify(execFile)
const bin = path.resolve(__dirname, '..', '..', 'bin', 'nashlab.js')
let dir: string
let db: string

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-cli-'))
  db = path.join(dir, 'nashlab.db')
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

async function nashlab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return nashlabWithInput(undefined, ...args)
}

async function nashlabWithInput(input: string | undefined, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const child = run(process.execPath, [bin, ...args], { env: { ...process.env, NASHLAB_DB: db } })
    if (input !== undefined) child.child.stdin!.end(input)
    const { stdout, stderr } = await child
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

test('datasets list --json on a fresh database prints an empty list', async () => {
  const r = await nashlab('datasets', 'list', '--json')
  expect(r.code).toBe(0)
  expect(JSON.parse(r.stdout)).toEqual([])
})

test('import FILE --dataset NAME, then list and show', async () => {
  const file = path.join(dir, 'prefs.jsonl')
  fs.writeFileSync(file, '{"prompt":"p1","chosen":"a","rejected":"b"}\n{"prompt":"p2","chosen":"c","rejected":"d"}\n')
  const imported = await nashlab('import', file, '--dataset', 'cli', '--json')
  expect(imported.code).toBe(0)
  expect(JSON.parse(imported.stdout)).toMatchObject({ rows: 2, comparisons: 2, dataset: { name: 'cli', prompts: 2 } })
  const listed = JSON.parse((await nashlab('datasets', 'list', '--json')).stdout) as { name: string; comparisons: number }[]
  expect(listed).toEqual([expect.objectContaining({ name: 'cli', comparisons: 2 })])
  const shown = await nashlab('datasets', 'show', 'cli')
  expect(shown.stdout).toMatch(/^cli\s+2 prompts\s+4 responses\s+2 comparisons/)
})

test('failures exit non-zero with one readable line, or a JSON error with --json', async () => {
  const file = path.join(dir, 'bad.jsonl')
  fs.writeFileSync(file, '{"prompt":"p","chosen":"a","rejected":"b"}\n{"prompt":"p","chosen":7,"rejected":"b"}\n')
  const plain = await nashlab('import', file, '--dataset', 'bad')
  expect(plain.code).toBe(1)
  expect(plain.stderr.trim().split('\n')).toEqual([`nashlab: ${file}, line 2: field "chosen" must be text, got a number. Nothing was imported.`])
  const json = await nashlab('import', file, '--dataset', 'bad', '--json')
  expect(json.code).toBe(1)
  expect(JSON.parse(json.stderr)).toEqual({ error: expect.objectContaining({ code: 'bad_file', details: { file, line: 2, field: 'chosen' } }) })
  const missing = await nashlab('import', file)
  expect(missing.code).toBe(2)
  expect(missing.stderr.trim()).toBe('nashlab: --dataset is required.')
  const unknown = await nashlab('frobnicate')
  expect(unknown.code).toBe(2)
})

test('--db PATH picks the database', async () => {
  const other = path.join(dir, 'other.db')
  await nashlab('datasets', 'create', 'elsewhere', '--db', other)
  const r = await nashlab('info', '--json', '--db', other)
  expect(JSON.parse(r.stdout)).toMatchObject({ database: other, mode: 'cli' })
  expect(JSON.parse((await nashlab('datasets', 'list', '--json', '--db', other)).stdout)).toHaveLength(1)
})

test('--help lists the commands', async () => {
  const r = await nashlab('--help')
  expect(r.stdout).toContain('nashlab import FILE --dataset NAME')
  expect(r.stdout).toContain('nashlab serve')
})

test('vote reads keys from a pipe and stores human comparisons', async () => {
  const file = path.join(dir, 'pool.jsonl')
  fs.writeFileSync(file, [1, 2, 3].map((i) => JSON.stringify({ prompt: `q${i}`, chosen: `x${i}`, rejected: `y${i}` })).join('\n'))
  await nashlab('import', file, '--dataset', 'pool')
  const r = await nashlabWithInput('1\n3\nu\n2\n', 'vote', '--source', 'pool', '--into', 'ballots', '--annotator', 'cli-user', '--json')
  expect(r.code).toBe(0)
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  expect(new Set(lines.filter((l) => 'left' in l).map((l) => l.pair)).size).toBe(3)
  expect(lines.filter((l) => 'choice' in l).map((l) => l.choice)).toEqual(['left', 'tie', 'right'])
  expect(lines.at(-1)).toMatchObject({ into: 'ballots', annotator: 'cli-user', votes: 2 })
  const shown = JSON.parse((await nashlab('datasets', 'show', 'ballots', '--json')).stdout) as { comparisons: number }
  expect(shown.comparisons).toBe(2)
})
