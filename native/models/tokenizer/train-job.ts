/**
 * Training a byte-level BPE tokenizer as a job, in a worker thread: counting the words of a large
 * dataset and learning thousands of merges takes seconds, during which the engine keeps serving.
 * Progress is in merges; pause and cancel act between progress reports. The tokenizer is written
 * (tokenizer.json, tokenizer_config.json) into the given folder.
 */
import { defineJob } from '../../jobs/define'
import { saveTokenizer } from './files'
import { trainByteLevelBpe } from './train'

export interface TokenizerJobInput {
  texts: string[]
  vocabSize: number
  /** Folder to write the tokenizer files into (created if missing). */
  folder: string
}

export interface TokenizerJobResult {
  bytes: number
  words: number
  merges: number
}

export default defineJob(async (input: TokenizerJobInput, ctx): Promise<TokenizerJobResult> => {
  ctx.progress({ done: 0, total: null, unit: 'merges', message: `Counting the words of ${input.texts.length} texts` })
  const result = trainByteLevelBpe(input.texts, {
    vocabSize: input.vocabSize,
    onProgress: (done, total) => {
      ctx.check()
      ctx.progress({ done, total, unit: 'merges' })
    },
  })
  saveTokenizer(input.folder, result.tokenizer)
  return { bytes: result.bytes, words: result.words, merges: result.merges }
})
