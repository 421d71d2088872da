import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Engine } from '../engine/engine'
import { peakRssMiB, timeMedian, type Bench } from './bench'
import { benchFolder, benchRows, rareWord, vocabulary, writeBenchFile } from './datasets-data'

const mib = (bytes: number) => bytes / (1 << 20)

/**
 * Import the bench file as the workbench does (a job in a worker thread, one transaction), then
 * build its search index. Resident memory is sampled every 50 ms through a tenth-size import and
 * the full one: memory that does not grow with the file shows as about the same peak for both.
 * Leaves the database for `datasets.search`.
 */
async function importBench() {
  const rows = benchRows()
  const dir = benchFolder(rows)
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'preferences.jsonl')
  const small = path.join(dir, 'tenth.jsonl')
  const bytes = writeBenchFile(file, rows)
  writeBenchFile(small, Math.ceil(rows / 10))
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
    const tenth = await sampled(() => engine.call('datasets.import', { dataset: 'tenth', path: small, inWorker: true }))
    await engine.call('datasets.delete', { name: 'tenth' })
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
        importRssGrowth: { value: full.growth, unit: 'MiB' },
        importRssGrowthTenth: { value: tenth.growth, unit: 'MiB' },
        indexSeconds: { value: index.seconds, unit: 's' },
        indexRows: { value: rows / index.seconds, unit: 'rows/s' },
        peakRss: { value: peakRssMiB(), unit: 'MiB' },
      },
      details: { rows, fileMiB: Math.round(mib(bytes)), cores: os.availableParallelism(), loadAverage: os.loadavg()[0], databaseMiB: Math.round(mib(fs.statSync(path.join(dir, 'bench.db')).size)) },
    }
  } finally {
    await engine.close()
    fs.rmSync(file, { force: true })
    fs.rmSync(small, { force: true })
  }
}

/**
 * Browse the imported dataset as the UI does: 50-row pages at the start, middle and end (and of
 * its prompts, in the middle and at the end), and
 * full-text searches (a rare word, a common word, two words, a phrase, a prefix, a common word
 * 20 pages deep); each the median of repeated calls. Then the statistics, health and annotator
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
    const page = async (input: { offset?: number; query?: string }) =>
      (await timeMedian(() => engine.call('datasets.comparisons', { name: 'bench', limit: 50, ...input }), { warmup: 1, minRuns: 7 })).median
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
      promptPageMiddle: { value: await promptPage(Math.floor(prompts / 2)), unit: 'ms' },
      promptPageLast: { value: await promptPage(prompts - 50), unit: 'ms' },
      searchRare: { value: await page({ query: rareWord }), unit: 'ms' },
      searchCommon: { value: await page({ query: vocabulary[0] }), unit: 'ms' },
      searchTwoWords: { value: await page({ query: `${vocabulary[3]} ${vocabulary[40]}` }), unit: 'ms' },
      searchPhrase: { value: await page({ query: `"${vocabulary[1]} ${vocabulary[2]}"` }), unit: 'ms' },
      searchPrefix: { value: await page({ query: `${vocabulary[100].slice(0, 4)}*` }), unit: 'ms' },
      searchCommonDeep: { value: await page({ query: vocabulary[0], offset: 1000 }), unit: 'ms' },
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
