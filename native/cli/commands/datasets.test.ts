import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { main } from '../main'

const bin = path.resolve(__dirname, '../../../bin/nashlab.js')
let dir: string
let db: string
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-cli-'))
  db = path.join(dir, 'cli.db')
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

interface Ran {
  code: number
  out: string
  err: string
  json: () => Record<string, unknown>
}

/** The real binary in a child process (start-up, exit code, streams). */
function spawned(...args: string[]): Ran {
  const r = spawnSync(process.execPath, [bin, ...args, '--db', db], { encoding: 'utf8', cwd: dir })
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr, json: () => JSON.parse(r.stdout) }
}

/** The same entry point in this process, its output captured (a child costs a second each). */
async function nashlab(...args: string[]): Promise<Ran> {
  let out = ''
  let err = ''
  const write = { out: process.stdout.write, err: process.stderr.write, error: console.error }
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write
  process.stderr.write = ((chunk: string) => ((err += chunk), true)) as typeof process.stderr.write
  console.error = (line: string) => (err += `${line}\n`)
  try {
    const code = await main([...args, '--db', db])
    return { code, out, err, json: () => JSON.parse(out) }
  } finally {
    process.stdout.write = write.out
    process.stderr.write = write.err
    console.error = write.error
  }
}

test('import, stats, rows, curation with undo, and export through the command line', async () => {
  const csv = path.join(dir, 'votes.csv')
  fs.writeFileSync(csv, 'question,left,right,winner,judge\nWhich is warmer?,the sun,the moon,model_a,ann\nWhich is wetter?,rain,sand,model_a,bob\n')
  const map = JSON.stringify({ prompt: 'question', responseA: 'left', responseB: 'right', outcome: 'winner', annotator: 'judge' })
  const imported = await nashlab('import', csv, '--format', 'map', '--map', map, '--dataset', 'votes', '--json')
  expect(imported.code, imported.err).toBe(0)
  expect(imported.json()).toMatchObject({ format: 'map', rows: 2, comparisons: 2, search: { indexed: 2 } })

  const appended = await nashlab('import', csv, '--format', 'map', '--map', map, '--dataset', 'votes', '--on-duplicate', 'skip', '--json')
  expect(appended.json()).toMatchObject({ comparisons: 0, duplicates: 2 })

  const stats = (await nashlab('datasets', 'stats', 'votes', '--json')).json()
  expect(stats).toMatchObject({ name: 'votes', prompts: 2, responses: 4, comparisons: 2, feedback: 0, annotators: 2 })
  expect(stats.health).toMatchObject({ comparisons: 2 })

  const rows = (await nashlab('datasets', 'rows', 'votes', '--search', 'moon', '--json')).json() as { rows: { id: number }[]; total: number }
  expect(rows.total).toBe(1)
  const id = String(rows.rows[0].id)
  expect((await nashlab('datasets', 'set-outcome', 'votes', '--id', id, '--outcome', 'tie', '--json')).json()).toMatchObject({ edit: { action: 'outcome' }, undoable: 1 })
  const text = await nashlab('datasets', 'undo', 'votes')
  expect(text.out.trim()).toBe(`Undid: Changed the outcome of comparison ${id} to tie. (0 more edits can be undone)`)

  const out = path.join(dir, 'votes.parquet')
  expect((await nashlab('datasets', 'export', 'votes', '--format', 'parquet', '--out', out, '--json')).json()).toMatchObject({ rows: 2, kind: 'comparisons' })
  expect(fs.readFileSync(out).subarray(0, 4).toString()).toBe('PAR1')
  expect((await nashlab('datasets', 'list')).out).toMatch(/votes\s+2 prompts\s+4 responses\s+2 comparisons/)

  expect((await nashlab('datasets', 'delete', 'votes', '--json')).json()).toEqual({ deleted: 'votes' })
  expect((await nashlab('datasets', 'list', '--json')).out.trim()).toBe('[]')
  const again = await nashlab('datasets', 'delete', 'votes', '--json')
  expect(again.code).toBe(1)
  expect(JSON.parse(again.err)).toMatchObject({ error: { code: 'not_found', message: 'There is no dataset named "votes".' } })
})

test('a bad file fails with one line naming the place, and a non-zero exit', async () => {
  const bad = path.join(dir, 'bad.jsonl')
  fs.writeFileSync(bad, '{"prompt": "p", "chosen": "c", "rejected": "r"}\n{"prompt": 1, "chosen": "c", "rejected": "r"}\n')
  const r = spawned('import', bad, '--dataset', 'bad')
  expect(r.code).toBe(1)
  expect(r.err.trim().split('\n').at(-1)).toBe(`nashlab: ${bad}, line 2: field "prompt" must be text, got a number. Nothing was imported.`)
  const json = await nashlab('import', bad, '--dataset', 'bad', '--json')
  expect(json.code).toBe(1)
  expect(JSON.parse(json.err)).toMatchObject({ error: { code: 'bad_file', details: { line: 2, field: 'prompt' } } })
  expect((await nashlab('import', bad, '--dataset', 'bad', '--format', 'nope')).err).toContain('--format must be one of auto, trl, hh-rlhf, tldr, map')
  expect((await nashlab('datasets', 'show', 'bad')).code).toBe(1)
})
