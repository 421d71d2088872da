import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import v8 from 'node:v8'
import vm from 'node:vm'
import { defaultMaxFieldChars } from '../api/datasets'
import { openWorkConnection } from '../data/connection'
import { importPreferences } from '../data/import'
import { Engine } from '../engine/engine'
import { openDatabase } from '../store/db'
import { peakRssMiB, timeMedian, type Bench } from './bench'
import { benchFolder, benchRows, rareWord, vocabulary, writeBenchFile } from './datasets-data'

const mib = (bytes: number) => bytes / (1 << 20)

/** SQLite's page cache during the memory pass, MiB: small enough to fill within the first tenth of the rows. */
const memoryPassCacheMiB = 32

/**
 * Import the bench file as the workbench does (a job in a worker thread, one transaction), then
 * build its search index. Before that, the memory pass (see `memoryPass`). Leaves the database for
 * `datasets.search`.
 */
async function importBench() {
  const rows = benchRows()
  const dir = benchFolder(rows)
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'preferences.jsonl')
  const bytes = writeBenchFileApart(file, rows)
  try {
    const memory = await memoryPass(file, path.join(dir, 'memory.db'), rows)
    const engine = new Engine({ database: path.join(dir, 'bench.db'), mode: 'cli' })
    try {
      const sampled = async (work: () => Promise<unknown>) => {
        const base = process.memoryUsage().rss
        let peak = base
        const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
        const started = performance.now()
        await work()
        clearInterval(timer)
        return { seconds: (performance.now() - started) / 1000, growth: mib(peak - base), peak: mib(peak) }
      }
      const cpu = process.cpuUsage()
      const full = await sampled(() => engine.call('datasets.import', { dataset: 'bench', path: file, inWorker: true }))
      const used = process.cpuUsage(cpu)
      const index = await sampled(() => engine.call('datasets.index', {}))
      return {
        metrics: {
          importSeconds: { value: full.seconds, unit: 's' },
          importRows: { value: rows / full.seconds, unit: 'rows/s' },
          importThroughput: { value: mib(bytes) / full.seconds, unit: 'MiB/s' },
          importCpuSeconds: { value: (used.user + used.system) / 1e6, unit: 's' },
          // The worker's page cache (256 MiB, see data/connection.ts) is part of this.
          importRssGrowth: { value: full.growth, unit: 'MiB' },
          ...memory,
          indexSeconds: { value: index.seconds, unit: 's' },
          indexRows: { value: rows / index.seconds, unit: 'rows/s' },
          peakRss: { value: peakRssMiB(), unit: 'MiB' },
        },
        details: {
          rows,
          fileMiB: Math.round(mib(bytes)),
          memoryPassCacheMiB,
          cores: os.availableParallelism(),
          loadAverage: os.loadavg()[0],
          databaseMiB: Math.round(mib(fs.statSync(path.join(dir, 'bench.db')).size)),
        },
      }
    } finally {
      await engine.close()
    }
  } finally {
    fs.rmSync(file, { force: true })
  }
}

/**
 * Write the bench file in a child process, so that the memory of making it (its strings,
 * collected but not yet handed back to the system) is not in this process's resident memory when
 * the memory pass takes its baseline: written here, it went back bit by bit during the import and
 * read as resident memory falling 73 MiB from a quarter of a million rows to all of them.
 * Returns the file's size in bytes.
 */
function writeBenchFileApart(file: string, rows: number): number {
  const source = new URL('./datasets-data.ts', import.meta.url).href
  const script = `import { writeBenchFile } from ${JSON.stringify(source)}; process.stdout.write(String(writeBenchFile(${JSON.stringify(file)}, ${rows})))`
  const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..')
  return Number(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }))
}

/**
 * Memory against the rows read, with SQLite's page cache held out of the question: the file is
 * imported once in this process, on a work connection like the import job's but with its page
 * cache capped at `memoryPassCacheMiB` (full after the first tenth of the rows), into a database
 * of its own (removed after). At a quarter, half and all of the rows the pass collects garbage
 * and notes resident memory and live JavaScript memory (heap, external and array buffers) above
 * what they were before the import. Memory that does not grow with the file reads about the same
 * at all three: `importRssLateGrowth`, over the second half of the file, near zero. (One million
 * rows, load 5: resident 108, 82 and 85 MiB; live JavaScript 20, 15 and 19 MiB.)
 */
async function memoryPass(file: string, database: string, rows: number) {
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') as () => void
  openDatabase(database).close()
  const db = openWorkConnection(database)
  db.pragma(`cache_size = -${memoryPassCacheMiB * 1024}`)
  const live = () => {
    gc()
    const m = process.memoryUsage()
    return { rss: m.rss, js: m.heapUsed + m.external }
  }
  const base = live()
  const marks = [0.25, 0.5, 1].map((share) => ({ share, rows: Math.floor(rows * share), rss: 0, js: 0 }))
  const note = (done: number) => {
    for (const mark of marks) {
      if (mark.rss === 0 && done >= mark.rows) {
        const now = live()
        mark.rss = mib(now.rss - base.rss)
        mark.js = mib(now.js - base.js)
      }
    }
  }
  try {
    await importPreferences(db, { dataset: 'memory', path: file, format: 'auto', onDuplicate: 'keep', maxFieldChars: defaultMaxFieldChars, onProgress: (p) => note(p.rows) })
  } finally {
    db.close()
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(database + suffix, { force: true })
  }
  const [quarter, half, all] = marks
  return {
    importRssQuarter: { value: quarter.rss, unit: 'MiB' },
    importRssHalf: { value: half.rss, unit: 'MiB' },
    importRssAll: { value: all.rss, unit: 'MiB' },
    importRssLateGrowth: { value: all.rss - half.rss, unit: 'MiB' },
    importHeapQuarter: { value: quarter.js, unit: 'MiB' },
    importHeapHalf: { value: half.js, unit: 'MiB' },
    importHeapAll: { value: all.js, unit: 'MiB' },
  }
}

/**
 * Browse the imported dataset as the UI does: 50-row pages at the start, middle and end, one
 * filtered to an outcome half-way through its rows (the bench's rows all have outcome "a"; the
 * warm-up call notes the filter's anchors), the first page of flagged rows (none are), an
 * outcome's unflagged rows half-way and one annotator's (a tenth of the rows) at a twentieth of
 * them (both counted from kept counts, migration 007), the flagged rows once five are, pages of its prompts in the middle and at
 * the end, and full-text searches (a rare word, a common word, two words, a phrase, a prefix, a
 * common word 20 pages deep, by offset and by the cursor the browser's next page names); each
 * the median of repeated calls. Then the statistics, health and annotator
 * reports, and a TRL JSONL export. Builds the database first when the import bench has not.
 */
async function searchBench() {
  const rows = benchRows()
  const dir = benchFolder(rows)
  if (!fs.existsSync(path.join(dir, 'bench.db'))) {
    fs.mkdirSync(dir, { recursive: true })
    const file = path.join(dir, 'preferences.jsonl')
    writeBenchFile(file, rows)
    const builder = new Engine({ database: path.join(dir, 'bench.db'), mode: 'cli' })
    await builder.call('datasets.import', { dataset: 'bench', path: file, inWorker: true })
    await builder.call('datasets.index', {})
    await builder.close()
    fs.rmSync(file, { force: true })
  }
  const engine = new Engine({ database: path.join(dir, 'bench.db'), mode: 'cli' })
  try {
    const total = (await engine.call('datasets.show', { name: 'bench' })).comparisons
    const page = async (input: { offset?: number; query?: string; outcome?: 'a'; flagged?: boolean; annotator?: string; after?: number }) =>
      (await timeMedian(() => engine.call('datasets.comparisons', { name: 'bench', limit: 50, ...input }), { warmup: 1, minRuns: 7 })).median
    // The id that ends the page before: what the browser's next page names as its cursor.
    const lastId = async (input: { query: string; offset: number }) => (await engine.call('datasets.comparisons', { name: 'bench', limit: 50, ...input })).rows[49].id
    const prompts = (await engine.call('datasets.show', { name: 'bench' })).prompts
    const promptPage = async (offset: number) =>
      (await timeMedian(() => engine.call('datasets.prompts', { name: 'bench', limit: 50, offset }), { warmup: 1, minRuns: 7 })).median
    const once = async (work: () => Promise<unknown>) => {
      const started = performance.now()
      await work()
      return performance.now() - started
    }
    const metrics = {
      pageFirst: { value: await page({ offset: 0 }), unit: 'ms' },
      pageMiddle: { value: await page({ offset: Math.floor(total / 2) }), unit: 'ms' },
      pageLast: { value: await page({ offset: total - 50 }), unit: 'ms' },
      pageOutcomeMiddle: { value: await page({ outcome: 'a', offset: Math.floor(total / 2) }), unit: 'ms' },
      pageFlaggedFirst: { value: await page({ flagged: true }), unit: 'ms' },
      pageOutcomeUnflaggedMiddle: { value: await page({ outcome: 'a', flagged: false, offset: Math.floor(total / 2) }), unit: 'ms' },
      pageAnnotatorMiddle: { value: await page({ annotator: 'rater-3', offset: Math.floor(total / 20) }), unit: 'ms' },
      pageFewFlaggedFirst: { value: await fewFlagged(engine, total, () => page({ flagged: true })), unit: 'ms' },
      promptPageMiddle: { value: await promptPage(Math.floor(prompts / 2)), unit: 'ms' },
      promptPageLast: { value: await promptPage(prompts - 50), unit: 'ms' },
      searchRare: { value: await page({ query: rareWord }), unit: 'ms' },
      searchCommon: { value: await page({ query: vocabulary[0] }), unit: 'ms' },
      searchTwoWords: { value: await page({ query: `${vocabulary[3]} ${vocabulary[40]}` }), unit: 'ms' },
      searchPhrase: { value: await page({ query: `"${vocabulary[1]} ${vocabulary[2]}"` }), unit: 'ms' },
      searchPrefix: { value: await page({ query: `${vocabulary[100].slice(0, 4)}*` }), unit: 'ms' },
      searchCommonDeep: { value: await page({ query: vocabulary[0], offset: 1000 }), unit: 'ms' },
      searchCommonDeepAfter: { value: await page({ query: vocabulary[0], offset: 1000, after: await lastId({ query: vocabulary[0], offset: 950 }) }), unit: 'ms' },
      stats: { value: await once(() => engine.call('datasets.stats', { name: 'bench' })), unit: 'ms' },
      health: { value: await once(() => engine.call('datasets.health', { name: 'bench' })), unit: 'ms' },
      annotators: { value: await once(() => engine.call('datasets.annotators', { name: 'bench' })), unit: 'ms' },
      exportJsonl: { value: (await once(() => engine.call('datasets.export', { name: 'bench', format: 'trl-jsonl', path: path.join(dir, 'export.jsonl'), inWorker: true }))) / 1000, unit: 's' },
      ...(await pagesAfterDeletes(engine, total, page)),
      ...(await deleteWhileBrowsing(engine)),
      peakRss: { value: peakRssMiB(), unit: 'MiB' },
    }
    return { metrics, details: { rows: total, cores: os.availableParallelism(), loadAverage: os.loadavg()[0] } }
  } finally {
    await engine.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * The first page of flagged rows once curation has flagged five, spread over the dataset: a
 * filter that selects a handful of a million rows (read through the flagged rows' index,
 * migration 007, not by walking the rest).
 */
async function fewFlagged(engine: Engine, total: number, page: () => Promise<number>) {
  const ids: number[] = []
  for (const share of [0.1, 0.3, 0.5, 0.7, 0.9]) ids.push((await engine.call('datasets.comparisons', { name: 'bench', offset: Math.floor(total * share), limit: 1 })).rows[0].id)
  await engine.call('datasets.flag', { name: 'bench', ids, flagged: true })
  return page()
}

/**
 * Pages once curation has deleted rows (a thousand, spread over the dataset, in 20 actions): the
 * ids no longer form one run, so pages start from noted positions. The first page at the end
 * after a restart walks the index once to note them (`pageAfterDeletesFirstWalk`); pages after
 * that (median of 7), and the first after a further delete (once), do not.
 */
async function pagesAfterDeletes(engine: Engine, total: number, page: (input: { offset?: number }) => Promise<number>) {
  const stride = Math.floor(total / 1000)
  for (let action = 0; action < 20; action++) {
    const ids: number[] = []
    for (let k = 0; k < 50; k++) {
      const found = await engine.call('datasets.comparisons', { name: 'bench', offset: (action * 50 + k) * (stride - 1), limit: 1 })
      ids.push(found.rows[0].id)
    }
    await engine.call('datasets.deleteComparisons', { name: 'bench', ids })
  }
  const left = total - 1000
  // A fresh engine knows no positions yet.
  const fresh = new Engine({ database: engine.db.name, mode: 'cli' })
  await fresh.call('datasets.show', { name: 'bench' })
  const started = performance.now()
  await fresh.call('datasets.comparisons', { name: 'bench', offset: left - 50, limit: 50 })
  const firstWalk = performance.now() - started
  await fresh.close()
  const metrics = {
    pageAfterDeletesFirstWalk: { value: firstWalk, unit: 'ms' },
    pageAfterDeletesMiddle: { value: await page({ offset: Math.floor(left / 2) }), unit: 'ms' },
    pageAfterDeletesLast: { value: await page({ offset: left - 50 }), unit: 'ms' },
  }
  const first = (await engine.call('datasets.comparisons', { name: 'bench', offset: 10, limit: 1 })).rows[0].id
  await engine.call('datasets.deleteComparisons', { name: 'bench', ids: [first] })
  const again = performance.now()
  await engine.call('datasets.comparisons', { name: 'bench', offset: left - 51, limit: 50 })
  return { ...metrics, pageAfterOneMoreDelete: { value: performance.now() - again, unit: 'ms' } }
}

/**
 * Delete the whole dataset (a job in a worker thread, one transaction) while another dataset is
 * paged every 200 ms: the slowest of those pages shows whether the delete held the engine up.
 */
async function deleteWhileBrowsing(engine: Engine) {
  const dir = path.dirname(engine.db.name)
  await engine.call('datasets.import', { dataset: 'neighbour', path: writeSmall(dir), inWorker: false })
  let slowest = 0
  let pages = 0
  let deleting = true
  const browsing = (async () => {
    while (deleting) {
      const started = performance.now()
      await engine.call('datasets.comparisons', { name: 'neighbour', offset: 0, limit: 50 })
      slowest = Math.max(slowest, performance.now() - started)
      pages++
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  })()
  const cpu = process.cpuUsage()
  const started = performance.now()
  await engine.call('datasets.delete', { name: 'bench', inWorker: true })
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  deleting = false
  await browsing
  return {
    deleteSeconds: { value: seconds, unit: 's' },
    deleteCpuSeconds: { value: (used.user + used.system) / 1e6, unit: 's' },
    slowestPageDuringDelete: { value: slowest, unit: 'ms' },
    pagesDuringDelete: { value: pages, unit: 'pages' },
  }
}

/** A thousand-row file for the neighbour dataset; returns its path. */
function writeSmall(dir: string): string {
  const file = path.join(dir, 'neighbour.jsonl')
  writeBenchFile(file, 1000)
  return file
}

export const datasetBenches: Bench[] = [
  {
    name: 'datasets.import',
    group: 'datasets',
    description: `Import ${benchRows().toLocaleString('en-US')} TRL comparisons (JSONL, ~850 B a row) in one transaction, then index them for search`,
    run: importBench,
  },
  {
    name: 'datasets.search',
    group: 'datasets',
    description: `Pages and full-text searches over ${benchRows().toLocaleString('en-US')} comparisons (median of 7), reports and an export`,
    run: searchBench,
  },
]
