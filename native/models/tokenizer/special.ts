import { NashlabError } from '../../api/errors'
import type { TokenName, TokenizerConfigJson } from './tokenizer-json'
import type { SpecialIds } from './tokenizer'

/** generation_config.json, as far as it names special ids (transformers' file). */
export interface GenerationConfigJson {
  eos_token_id?: number | number[] | null
  bos_token_id?: number | null
  pad_token_id?: number | null
  [key: string]: unknown
}

/** Where roles are looked up, and optional overrides by token content. */
export interface SpecialSources {
  tokenizerConfig?: TokenizerConfigJson
  generationConfig?: GenerationConfigJson
  eosToken?: string
  padToken?: string
  /** Named in error messages. */
  directory?: string
}

/**
 * The ids of EOS, BOS and padding for a tokenizer: an override first, then tokenizer_config.json
 * (`eos_token`, `bos_token`, `pad_token`), then generation_config.json (`eos_token_id`, …). Padding
 * falls back to EOS, as is usual for decoder models. Stop ids are EOS plus every id in the generation
 * config's `eos_token_id` list. A tokenizer with no EOS at all is refused: completions could not end.
 */
export function resolveSpecialIds(tokenToId: (token: string) => number | undefined, sources: SpecialSources): SpecialIds {
  const config = sources.tokenizerConfig ?? {}
  const generation = sources.generationConfig ?? {}
  const where = sources.directory ? ` in ${sources.directory}` : ''
  const idOf = (name: string | undefined, field: string): number | undefined => {
    if (name === undefined) return undefined
    const id = tokenToId(name)
    if (id === undefined) throw new NashlabError('bad_file', `The ${field} ${JSON.stringify(name)}${where} is not in the tokenizer's vocabulary.`, { field })
    return id
  }
  const generationEos = generation.eos_token_id == null ? [] : Array.isArray(generation.eos_token_id) ? generation.eos_token_id : [generation.eos_token_id]
  const eosId = idOf(sources.eosToken, 'EOS token') ?? idOf(tokenContent(config.eos_token), 'eos_token of tokenizer_config.json') ?? generationEos[0]
  if (eosId === undefined) {
    throw new NashlabError(
      'bad_file',
      `The tokenizer${where} names no end-of-sequence token: add "eos_token" to tokenizer_config.json or "eos_token_id" to generation_config.json.`,
      { field: 'eos_token' },
    )
  }
  const bosId = idOf(tokenContent(config.bos_token), 'bos_token of tokenizer_config.json') ?? generation.bos_token_id ?? undefined
  const padId = idOf(sources.padToken, 'padding token') ?? idOf(tokenContent(config.pad_token), 'pad_token of tokenizer_config.json') ?? generation.pad_token_id ?? eosId
  return { eosId, bosId, padId, stopIds: [...new Set([eosId, ...generationEos])] }
}

/** The content of a token as tokenizer_config.json names it (a string or an AddedToken object). */
export function tokenContent(name: TokenName | undefined): string | undefined {
  if (name == null) return undefined
  return typeof name === 'string' ? name : name.content
}
