/**
 * Byte-level BPE benchmark: training speed per vocabulary size, then encoding speed of Nashlab's
 * encoder and of @huggingface/tokenizers on the same trained tokenizer (and whether their ids agree).
 * Prints a table, then one JSON line.
 *
 *   npx tsx scripts/bench-tokenizer.ts FILE [--vocab 512,1024,4096] [--encode-bytes 1000000]
 */
import fs from 'node:fs'
import { HuggingFaceTokenizer } from '../native/models/tokenizer/huggingface'
import { toTokenizerFiles } from '../native/models/tokenizer/tokenizer-json'
import { trainByteLevelBpe } from '../native/models/tokenizer/train'

const args = process.argv.slice(2)
const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'))
if (!file) {
  console.error('usage: npx tsx scripts/bench-tokenizer.ts FILE [--vocab 512,1024,4096] [--encode-bytes 1000000]')
  process.exit(2)
}
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback
}
const vocabSizes = flag('vocab', '512,1024,4096').split(',').map(Number)
const encodeBytes = Number(flag('encode-bytes', '1000000'))

const text = fs.readFileSync(file, 'utf8')
const sample = text.slice(0, encodeBytes)
const megabytes = (s: string) => Buffer.byteLength(s) / 1e6
const rows = []
for (const vocabSize of vocabSizes) {
  const started = performance.now()
  const result = trainByteLevelBpe([text], { vocabSize })
  const trainSeconds = (performance.now() - started) / 1000
  const { tokenizerJson, tokenizerConfig } = toTokenizerFiles(result.tokenizer)
  const library = new HuggingFaceTokenizer(JSON.parse(JSON.stringify(tokenizerJson)), { tokenizerConfig })
  const ownStart = performance.now()
  const ownIds = result.tokenizer.encode(sample)
  const ownSeconds = (performance.now() - ownStart) / 1000
  const libraryStart = performance.now()
  const libraryIds = library.encode(sample)
  const librarySeconds = (performance.now() - libraryStart) / 1000
  rows.push({
    vocabSize: result.tokenizer.vocabSize,
    merges: result.merges,
    trainMB: +(result.bytes / 1e6).toFixed(2),
    trainSeconds: +trainSeconds.toFixed(2),
    trainMBps: +(result.bytes / 1e6 / trainSeconds).toFixed(2),
    encodeMBpsNashlab: +(megabytes(sample) / ownSeconds).toFixed(2),
    encodeMBpsLibrary: +(megabytes(sample) / librarySeconds).toFixed(2),
    bytesPerToken: +(Buffer.byteLength(sample) / ownIds.length).toFixed(2),
    sameIds: ownIds.length === libraryIds.length && ownIds.every((id, i) => id === libraryIds[i]),
  })
}
console.table(rows)
console.log(JSON.stringify({ file, bytes: Buffer.byteLength(text), rows }))
