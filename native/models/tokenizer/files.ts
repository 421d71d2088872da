import fs from 'node:fs'
import path from 'node:path'
import { NashlabError } from '../../api/errors'
import type { ByteLevelBpe } from './bpe'
import { HuggingFaceTokenizer } from './huggingface'
import { resolveSpecialIds, type GenerationConfigJson } from './special'
import { byteLevelBpeFromJson, plainByteLevelBpeMismatch, toTokenizerFiles, type TokenizerConfigJson, type TokenizerJson } from './tokenizer-json'
import type { Tokenizer } from './tokenizer'

/** A tokenizer read from a model folder, with the files it came from. */
export interface LoadedTokenizer {
  tokenizer: Tokenizer
  /** Which encoder runs it: Nashlab's byte-level BPE, or @huggingface/tokenizers. */
  backend: 'nashlab' | 'huggingface'
  /** Why the Hugging Face library runs it, when it does. */
  reason?: string
  tokenizerConfig?: TokenizerConfigJson
}

export interface LoadTokenizerOptions {
  /** 'auto' (default): Nashlab's encoder for plain byte-level BPE files, the library otherwise. */
  backend?: 'auto' | 'huggingface'
  /** Override the EOS or padding token by its content. */
  eosToken?: string
  padToken?: string
}

/**
 * The tokenizer of a model folder: tokenizer.json (required), tokenizer_config.json and
 * generation_config.json (optional; they name EOS, BOS and padding).
 */
export function loadTokenizer(directory: string, options: LoadTokenizerOptions = {}): LoadedTokenizer {
  const tokenizerJson = readJson<TokenizerJson>(path.join(directory, 'tokenizer.json'), true)!
  const tokenizerConfig = readJson<TokenizerConfigJson>(path.join(directory, 'tokenizer_config.json'), false)
  const generationConfig = readJson<GenerationConfigJson>(path.join(directory, 'generation_config.json'), false)
  return tokenizerFromJson(tokenizerJson, { ...options, tokenizerConfig, generationConfig, directory })
}

/** `loadTokenizer` on files already parsed. */
export function tokenizerFromJson(
  tokenizerJson: TokenizerJson,
  options: LoadTokenizerOptions & { tokenizerConfig?: TokenizerConfigJson; generationConfig?: GenerationConfigJson; directory?: string } = {},
): LoadedTokenizer {
  const sources = options
  const file = options.directory ? path.join(options.directory, 'tokenizer.json') : 'tokenizer.json'
  let reason = options.backend === 'huggingface' ? 'asked for' : plainByteLevelBpeMismatch(tokenizerJson)
  if (reason === undefined) {
    try {
      const vocabulary = tokenizerJson.model.vocab as Record<string, number>
      const addedIds = new Map((tokenizerJson.added_tokens ?? []).map((t) => [t.content, t.id]))
      const lookup = (token: string) => addedIds.get(token) ?? (Object.hasOwn(vocabulary, token) ? vocabulary[token] : undefined)
      const special = resolveSpecialIds(lookup, sources)
      const tokenizer = byteLevelBpeFromJson(tokenizerJson, special, file)
      return { tokenizer, backend: 'nashlab', tokenizerConfig: options.tokenizerConfig }
    } catch (error) {
      // A file the library accepts but Nashlab's encoder does not (a gap in its ids, say) still loads.
      if (!(error instanceof NashlabError && error.code === 'bad_file' && error.details?.file === file)) throw error
      reason = error.message
    }
  }
  return { tokenizer: new HuggingFaceTokenizer(tokenizerJson, sources), backend: 'huggingface', reason, tokenizerConfig: options.tokenizerConfig }
}

/** Write a Nashlab byte-level BPE tokenizer as tokenizer.json and tokenizer_config.json in `directory`. */
export function saveTokenizer(directory: string, tokenizer: ByteLevelBpe): { files: string[] } {
  const { tokenizerJson, tokenizerConfig } = toTokenizerFiles(tokenizer)
  fs.mkdirSync(directory, { recursive: true })
  const files = [
    writeJson(path.join(directory, 'tokenizer.json'), tokenizerJson),
    writeJson(path.join(directory, 'tokenizer_config.json'), tokenizerConfig),
  ]
  return { files }
}

function readJson<T>(file: string, required: boolean): T | undefined {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !required) return undefined
    throw new NashlabError('not_found', `Could not read ${file}: ${(error as Error).message}.`, { file })
  }
  try {
    return JSON.parse(text) as T
  } catch (error) {
    throw new NashlabError('bad_file', `${file} is not valid JSON: ${(error as Error).message}.`, { file })
  }
}

/** Write through a temporary file and rename, so a crash never leaves half a file. */
function writeJson(file: string, value: unknown): string {
  const temporary = `${file}.${process.pid}.tmp`
  fs.writeFileSync(temporary, JSON.stringify(value, null, 2) + '\n')
  fs.renameSync(temporary, file)
  return file
}
