/**
 * The datasets benchmark's input, generated on the fly (never committed): a TRL JSONL file of N
 * comparisons, deterministic for a given N. Prompts of 12–30 words; three responses of 20–60 words
 * per prompt, compared pairwise (every prompt is a triad, a quarter of which come out cyclic); ten
 * annotators; words from a 4,096-word vocabulary drawn by a Zipf-like law, plus one rare word in
 * one prompt of 10,000. About 850 bytes a row.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { seededRandom } from '../game/random'
import { latestVersion } from '../store/migrations/index'

/** Rows of the bench file: $NASHLAB_BENCH_DATASET_ROWS, or one million. */
export function benchRows(): number {
  return Number(process.env.NASHLAB_BENCH_DATASET_ROWS) || 1_000_000
}

/** The folder the import bench leaves its database in for the search bench (removed by it). */
export function benchFolder(rows: number): string {
  return path.join(os.tmpdir(), `nashlab-bench-datasets-v${latestVersion}-${rows}`)
}

export const rareWord = 'zyzzogeton'

const syllables = ['ka', 'lo', 'mi', 'ne', 'su', 'ta', 'ri', 'po', 've', 'da', 'qui', 'zen', 'mor', 'lin', 'tha', 'gre']
export const vocabulary = Array.from({ length: 4096 }, (_, i) => {
  let w = ''
  for (let k = i, n = 0; n < 2 + (i % 3); n++, k = Math.floor(k / 16)) w += syllables[k % 16]
  return w
})

function words(random: () => number, min: number, max: number): string {
  const n = min + Math.floor(random() * (max - min + 1))
  const out: string[] = []
  // The square of a uniform draw favours the first words of the vocabulary.
  for (let i = 0; i < n; i++) out.push(vocabulary[Math.floor(random() ** 2 * vocabulary.length)])
  return out.join(' ')
}

/** Write the bench file in 4 MiB pieces; returns its size in bytes. */
export function writeBenchFile(file: string, rows: number): number {
  const random = seededRandom(20_240_601)
  const fd = fs.openSync(file, 'w')
  let buffer: string[] = []
  let size = 0
  let written = 0
  const annotators = Array.from({ length: 10 }, (_, i) => `rater-${i + 1}`)
  const pairs = [
    [0, 1],
    [1, 2],
    [0, 2],
  ]
  for (let p = 0; written < rows; p++) {
    const prompt = `${words(random, 12, 30)}${p % 10_000 === 7 ? ` ${rareWord}` : ''}?`
    const responses = [0, 1, 2].map(() => `${words(random, 20, 60)}.`)
    for (const [x, y] of pairs) {
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
