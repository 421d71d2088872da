import { spawn } from 'node:child_process'
import fs from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NashlabError } from '../api/errors'
import { builtEntry } from '../runtime/typescript-child'
import type { BenchResult } from './bench'
import { benches } from './index'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The command line a bench child runs: the built CLI beside this bundle (out/main/cli.js), else bin/nashlab.js from source. */
function cliEntry(): string {
  const built = builtEntry('cli.js', import.meta.url)
  return built ? fileURLToPath(built) : join(root, 'bin', 'nashlab.js')
}

/** Run one bench in this process. */
export async function runBenchHere(name: string): Promise<BenchResult> {
  const bench = benches.find((b) => b.name === name)
  if (!bench) throw new NashlabError('not_found', `No bench named "${name}". Benches: ${benches.map((b) => b.name).join(', ')}.`)
  const result = await bench.run()
  return { name: bench.name, group: bench.group, description: bench.description, ...result, details: { ...result.details, loadAverage: os.loadavg()[0] } }
}

/** Run one bench in a child process (its own peak RSS), returning its result. */
function runInChild(name: string): Promise<BenchResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliEntry(), 'bench', '--only', name, '--in-process', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new NashlabError('internal', `Bench "${name}" exited with code ${code}.`))
      try {
        resolve((JSON.parse(out.trim().split('\n').pop()!) as { results: BenchResult[] }).results[0])
      } catch {
        reject(new NashlabError('internal', `Bench "${name}" printed no result.`))
      }
    })
  })
}

export interface BenchRun {
  results: BenchResult[]
  /** Where results.json was written (absent for in-process child runs). */
  written?: string
}

/**
 * Where results go by default: bench/results.json of the checkout when running in one (its native/
 * sources sit beside the build), else bench/results.json under the working folder (an installed app's
 * own folder is read-only).
 */
export function defaultResultsPath(): string {
  const base = fs.existsSync(join(root, 'native')) ? root : process.cwd()
  return join(base, 'bench', 'results.json')
}

/** Run the selected benches (a name or a group), each in its own process, and write the results (default: {@link defaultResultsPath}). */
export async function runBenches(only: string | undefined, onResult: (r: BenchResult) => void, out = defaultResultsPath()): Promise<BenchRun> {
  const selected = benches.filter((b) => !only || b.name === only || b.group === only)
  if (selected.length === 0) throw new NashlabError('not_found', `No bench or group named "${only}". Benches: ${benches.map((b) => b.name).join(', ')}.`)
  const results: BenchResult[] = []
  for (const b of selected) {
    const r = await runInChild(b.name)
    results.push(r)
    onResult(r)
  }
  const written = out
  await mkdir(dirname(written), { recursive: true })
  // The host's load average says how much other work competed for the cores during the run.
  const host = { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg() }
  await writeFile(written, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, host, results }, null, 2)}\n`)
  return { results, written }
}

/** The results as an aligned table. */
export function formatTable(results: BenchResult[]): string {
  const rows = results.flatMap((r) => Object.entries(r.metrics).map(([k, m]) => [r.name, k, formatNumber(m.value), m.unit]))
  const widths = [0, 1, 2, 3].map((i) => Math.max(...[['bench', 'metric', 'value', 'unit'], ...rows].map((row) => row[i].length)))
  const line = (row: string[]) => row.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ')
  return [line(['bench', 'metric', 'value', 'unit']), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

function formatNumber(v: number): string {
  if (Math.abs(v) >= 1000) return v.toFixed(0)
  if (Math.abs(v) >= 10) return v.toFixed(1)
  return v.toFixed(2)
}
