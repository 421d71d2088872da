/**
 * Datasets at scale, measured: import a deterministic TRL JSONL file of N comparisons (1,000,000
 * by default, generated on the fly into a temporary folder, never committed), then build the
 * search index, page through the dataset and run full-text searches. Prints a table and a JSON
 * line. Run with `npx tsx scripts/bench-datasets.ts [--rows N] [--keep]`.
 *
 * The file: prompts of 12–30 words, three responses of 20–60 words per prompt compared pairwise
 * (so every prompt is a triad, and about a quarter of triads are cyclic), ten annotators; words
 * drawn from a 4,096-word vocabulary with a Zipf-like law, plus one rare word in 1 row of 10,000.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Engine } from '../native/engine/engine'

const args = process.argv.slice(2)
const rowsWanted = Number(args[args.indexOf('--rows') + 1]) || 1_000_000
const keep = args.includes('--keep')
const quiet = args.includes('--quiet')

/** mulberry32: a small, fast, deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const syllables = ['ka', 'lo', 'mi', 'ne', 'su', 'ta', 'ri', 'po', 've', 'da', 'qui', 'zen', 'mor', 'lin', 'tha', 'gre']
const vocabulary = Array.from({ length: 4096 }, (_, i) => {
  let w = ''
  for (let k = i, n = 0; n < 2 + (i % 3); n++, k = Math.floor(k / 16)) w += syllables[k % 16]
  return w
})

function words(random: () => number, min: number, max: number): string {
  const n = min + Math.floor(random() * (max - min + 1))
  const out: string[] = []
  // Zipf-like: the square of a uniform draw favours the first words of the vocabulary.
  for (let i = 0; i < n; i++) out.push(vocabulary[Math.floor(random() ** 2 * vocabulary.length)])
  return out.join(' ')
}

/** Write the TRL JSONL file in 4 MiB pieces; returns its size in bytes. */
function generate(file: string, rows: number): number {
  const random = prng(20_240_601)
  const fd = fs.openSync(file, 'w')
  let buffer: string[] = []
  let size = 0
  let written = 0
  const annotators = Array.from({ length: 10 }, (_, i) => `rater-${i + 1}`)
  for (let p = 0; written < rows; p++) {
    const prompt = `${words(random, 12, 30)}${p % 10_000 === 7 ? ' zyzzogeton' : ''}?`
    const responses = [0, 1, 2].map(() => `${words(random, 20, 60)}.`)
    for (const [x, y] of [
      [0, 1],
      [1, 2],
      [0, 2],
    ]) {
      if (written >= rows) break
      const [chosen, rejected] = random() < 0.5 ? [responses[x], responses[y]] : [responses[y], responses[x]]
      const line = JSON.stringify({ prompt, chosen, rejected, annotator: annotators[Math.floor(random() * annotators.length)] }) + '\n'
      buffer.push(line)
      size += line.length
      written++
      if (size >= 4 << 20) {
        fs.writeSync(fd, buffer.join(''))
        buffer = []
        size = 0
      }
    }
  }
  fs.writeSync(fd, buffer.join(''))
  fs.closeSync(fd)
  return fs.statSync(file).size
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  const value = await work()
  return { value, ms: performance.now() - started }
}

function note(line: string) {
  if (!quiet) process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`)
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-bench-'))
  const file = path.join(dir, 'preferences.jsonl')
  note(`generating ${rowsWanted.toLocaleString('en-US')} rows in ${file}`)
  const bytes = generate(file, rowsWanted)
  note(`importing ${(bytes / (1 << 20)).toFixed(0)} MiB`)
  const engine = new Engine({ database: path.join(dir, 'bench.db'), mode: 'cli' })
  const results: Record<string, number | string> = { rows: rowsWanted, fileBytes: bytes, cores: os.availableParallelism(), loadAverage: os.loadavg()[0].toFixed(2) }
  try {
    // Memory while importing: sampled every 50 ms (the import yields between chunks).
    let peakRss = process.memoryUsage().rss
    const baseRss = peakRss
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50)
    const imported = await timed(() => engine.call('datasets.import', { dataset: 'bench', path: file }))
    clearInterval(sampler)
    results.importSeconds = +(imported.ms / 1000).toFixed(2)
    results.importRowsPerSecond = Math.round(rowsWanted / (imported.ms / 1000))
    results.importMiBPerSecond = +(bytes / (1 << 20) / (imported.ms / 1000)).toFixed(1)
    results.importPeakRssMiB = Math.round(peakRss / (1 << 20))
    results.importRssGrowthMiB = Math.round((peakRss - baseRss) / (1 << 20))
    results.comparisons = imported.value.comparisons

    note('indexing for search')
    const indexed = await timed(() => engine.call('datasets.index', {}))
    results.indexSeconds = +(indexed.ms / 1000).toFixed(2)
    results.indexRowsPerSecond = Math.round(indexed.value.indexed / (indexed.ms / 1000))

    const total = imported.value.comparisons
    const sequential = async (work: () => Promise<unknown>, times = 5) => {
      const ms: number[] = []
      for (let i = 0; i < times; i++) ms.push((await timed(work)).ms)
      return median(ms)
    }
    note('paging')
    results.pageFirstMs = +(await sequential(() => engine.call('datasets.comparisons', { name: 'bench', offset: 0, limit: 50 }))).toFixed(1)
    results.pageMiddleMs = +(await sequential(() => engine.call('datasets.comparisons', { name: 'bench', offset: Math.floor(total / 2), limit: 50 }))).toFixed(1)
    results.pageLastMs = +(await sequential(() => engine.call('datasets.comparisons', { name: 'bench', offset: total - 50, limit: 50 }))).toFixed(1)
    const search = async (query: string, offset = 0) => sequential(() => engine.call('datasets.comparisons', { name: 'bench', query, offset, limit: 50 }))
    note('searching')
    results.searchRareMs = +(await search('zyzzogeton')).toFixed(1)
    results.searchCommonMs = +(await search(vocabulary[0])).toFixed(1)
    results.searchTwoWordsMs = +(await search(`${vocabulary[3]} ${vocabulary[40]}`)).toFixed(1)
    results.searchPhraseMs = +(await search(`"${vocabulary[1]} ${vocabulary[2]}"`)).toFixed(1)
    results.searchPrefixMs = +(await search(`${vocabulary[100].slice(0, 4)}*`)).toFixed(1)
    results.searchCommonPage20Ms = +(await search(vocabulary[0], 1000)).toFixed(1)
    note('statistics')
    results.statsMs = Math.round((await timed(() => engine.call('datasets.stats', { name: 'bench' }))).ms)
    results.healthMs = Math.round((await timed(() => engine.call('datasets.health', { name: 'bench' }))).ms)
    results.annotatorsMs = Math.round((await timed(() => engine.call('datasets.annotators', { name: 'bench' }))).ms)
    note('exporting')
    const exported = await timed(() => engine.call('datasets.export', { name: 'bench', format: 'trl-jsonl', path: path.join(dir, 'export.jsonl') }))
    results.exportJsonlSeconds = +(exported.ms / 1000).toFixed(2)
    results.databaseMiB = Math.round(fs.statSync(path.join(dir, 'bench.db')).size / (1 << 20))
  } finally {
    await engine.close()
    if (!keep) fs.rmSync(dir, { recursive: true, force: true })
    else process.stderr.write(`kept ${dir}\n`)
  }
  const width = Math.max(...Object.keys(results).map((k) => k.length))
  console.log('datasets benchmark')
  for (const [k, v] of Object.entries(results)) console.log(`  ${k.padEnd(width)}  ${typeof v === 'number' ? v.toLocaleString('en-US') : v}`)
  console.log(JSON.stringify({ bench: 'datasets', ...results }))
}

await main()
