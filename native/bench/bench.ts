/**
 * The benchmark registry's types. A bench group is one file exporting `Bench[]`; `index.ts` lists
 * the groups. Each bench runs in its own process (so its peak RSS is its own) and returns named
 * metrics; the runner prints them as a table and writes bench/results.json.
 */
export interface Metric {
  value: number
  /** Unit shown in the table, e.g. "GFLOP/s", "tokens/s", "ms", "MiB", "%". */
  unit: string
}

export interface BenchResult {
  name: string
  group: string
  description: string
  metrics: Record<string, Metric>
  /** Free-form facts about the run (config, threads). */
  details?: Record<string, unknown>
}

export interface Bench {
  /** Unique name, `<group>.<row>` (e.g. "train.gpt-d128"). */
  name: string
  group: string
  description: string
  run(): Promise<Omit<BenchResult, 'name' | 'group' | 'description'>>
}

/** Median of the durations (ms) of `fn` after `warmup` calls; at least `minRuns`, until `minMs` has passed. */
export async function timeMedian(fn: () => Promise<unknown>, options: { warmup?: number; minRuns?: number; minMs?: number; maxRuns?: number } = {}): Promise<{ median: number; min: number; runs: number }> {
  for (let i = 0; i < (options.warmup ?? 2); i++) await fn()
  const times: number[] = []
  const start = performance.now()
  while (times.length < (options.minRuns ?? 5) || (performance.now() - start < (options.minMs ?? 0) && times.length < (options.maxRuns ?? 1000))) {
    const t0 = performance.now()
    await fn()
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  return { median: times[Math.floor(times.length / 2)], min: times[0], runs: times.length }
}

/** Peak resident set size of this process, MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024
}
