import { Template } from '@huggingface/jinja'
import { z } from 'zod'
import { NashlabError } from '../../api/errors'
import type { Message } from '../../data/formats/messages'
import { renderMessages } from '../../data/formats/messages'
import type { TokenizerConfigJson } from './tokenizer-json'
import type { Tokenizer } from './tokenizer'

/**
 * Prompt templates: how a dataset's prompt becomes the text a model continues.
 *
 * The simple template (every model): `text` with placeholders
 *   {prompt}  the prompt (required)
 *   {system}  the template's `system` text (required when `system` is set, and only then)
 *   {bos} {eos}  the tokenizer's BOS and EOS tokens, as text (encoded as those special ids)
 * and `{{` / `}}` for literal braces; any other `{name}` is refused. The `separator` is appended
 * after the text: the completion starts right after it. Example:
 *   { kind: 'simple', system: 'Answer briefly.', text: '{system}\n\nQuestion: {prompt}', separator: '\nAnswer:' }
 *
 * The chat template (imported models whose tokenizer_config.json has a `chat_template`): the Jinja
 * source, kept as written and rendered with @huggingface/jinja the way transformers'
 * `apply_chat_template` does: `messages` (the template's system text first, when it has one, then
 * the prompt as one user message, or a conversational row's own message list), `bos_token`,
 * `eos_token` and `add_generation_prompt: true`; the result is encoded without adding special
 * tokens (the template writes them).
 */
export type PromptTemplate = SimpleTemplate | ChatTemplate

export interface SimpleTemplate {
  kind: 'simple'
  text: string
  system?: string
  separator?: string
}

export interface ChatTemplate {
  kind: 'chat'
  /** The Jinja source, as tokenizer_config.json holds it. */
  jinja: string
  /** Which of the file's named templates it is, when the file holds several. */
  name?: string
  system?: string
}

/** The template of a model with no template of its own: the prompt as it is, the completion right after. */
export const plainTemplate: SimpleTemplate = { kind: 'simple', text: '{prompt}', separator: '' }

export const promptTemplateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('simple'), text: z.string(), system: z.string().optional(), separator: z.string().optional() }),
  z.object({ kind: z.literal('chat'), jinja: z.string().min(1), name: z.string().optional(), system: z.string().optional() }),
])

type Piece = { literal: string } | { slot: 'prompt' | 'system' | 'bos' | 'eos' }

/** Parse a simple template's text, refusing unknown placeholders and unbalanced braces. */
function parseTemplate(text: string): Piece[] {
  const pieces: Piece[] = []
  let literal = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if ((c === '{' || c === '}') && text[i + 1] === c) {
      literal += c
      i++
    } else if (c === '{') {
      const end = text.indexOf('}', i)
      const name = end < 0 ? '' : text.slice(i + 1, end)
      if (name !== 'prompt' && name !== 'system' && name !== 'bos' && name !== 'eos') {
        throw templateError(end < 0 ? `The template opens a brace at character ${i} and never closes it (write {{ for a literal brace).` : `The template names {${name}}; the placeholders are {prompt}, {system}, {bos} and {eos} (write {{ and }} for literal braces).`)
      }
      if (literal) pieces.push({ literal })
      literal = ''
      pieces.push({ slot: name })
      i = end
    } else if (c === '}') {
      throw templateError(`The template closes a brace at character ${i} that was never opened (write }} for a literal brace).`)
    } else {
      literal += c
    }
  }
  if (literal) pieces.push({ literal })
  return pieces
}

/** Check a template once, when it is saved: the message names what to fix. */
export function checkTemplate(template: PromptTemplate): void {
  if (template.kind === 'chat') return
  const slots = parseTemplate(template.text).flatMap((p) => ('slot' in p ? [p.slot] : []))
  if (!slots.includes('prompt')) throw templateError('The template has no {prompt} placeholder, so the prompt would be left out.')
  if (template.system !== undefined && !slots.includes('system')) throw templateError('The template has system text but no {system} placeholder to put it in.')
  if (template.system === undefined && slots.includes('system')) throw templateError('The template has a {system} placeholder but no system text.')
}

/** The special tokens' text, for {bos} and {eos}. */
export interface TemplateTokens {
  bos?: string
  eos: string
}

/**
 * A prompt: its text, or a conversational row's messages (the last one the user's turn). A simple
 * template receives messages as their readable text ("User: …" turns; a lone user message is its content).
 */
export type PromptInput = string | readonly Message[]

/** The text a model continues for `prompt`: the template filled in, then the separator (or the chat template rendered). */
export function renderPrompt(template: PromptTemplate, prompt: PromptInput, tokens: TemplateTokens): string {
  if (template.kind === 'chat') return renderChat(template, prompt, tokens)
  if (typeof prompt !== 'string') prompt = renderMessages([...prompt], 'user')
  checkTemplate(template)
  let out = ''
  for (const piece of parseTemplate(template.text)) {
    if ('literal' in piece) out += piece.literal
    else if (piece.slot === 'prompt') out += prompt
    else if (piece.slot === 'system') out += template.system ?? ''
    else if (piece.slot === 'eos') out += tokens.eos
    else if (tokens.bos === undefined) throw templateError('The template names {bos}, but the tokenizer has no beginning-of-sequence token.')
    else out += tokens.bos
  }
  return out + (template.separator ?? '')
}

/**
 * The prompt's ids under a template. The tokenizer's own additions (a Llama BOS) are kept unless
 * the template places {bos} itself, so BOS is never doubled.
 */
export function encodePrompt(tokenizer: Tokenizer, template: PromptTemplate, prompt: PromptInput): number[] {
  const tokens = { eos: tokenizer.idToToken(tokenizer.eosId)!, bos: tokenizer.bosId === undefined ? undefined : tokenizer.idToToken(tokenizer.bosId) }
  const placesBos = template.kind === 'chat' || parseTemplate(template.text).some((p) => 'slot' in p && p.slot === 'bos')
  return tokenizer.encode(renderPrompt(template, prompt, tokens), { addSpecialTokens: !placesBos })
}

/** A completion's ids (nothing added around them), with EOS after them when `endWithEos`. */
export function encodeCompletion(tokenizer: Tokenizer, completion: string, endWithEos: boolean): number[] {
  const ids = tokenizer.encode(completion, { addSpecialTokens: false })
  if (endWithEos) ids.push(tokenizer.eosId)
  return ids
}

/** The chat template of an imported model's tokenizer_config.json, if it has one ('default' when it names several). */
export function chatTemplateOf(config: TokenizerConfigJson | undefined): ChatTemplate | undefined {
  const raw = config?.chat_template
  if (typeof raw === 'string' && raw.length > 0) return { kind: 'chat', jinja: raw }
  if (Array.isArray(raw) && raw.length > 0) {
    const chosen = raw.find((t) => t.name === 'default') ?? raw[0]
    if (typeof chosen?.template === 'string') return { kind: 'chat', jinja: chosen.template, name: chosen.name }
  }
  return undefined
}

/** Parsed chat templates by source (a model's template is parsed once, not once per prompt). */
const parsedChat = new Map<string, Template>()

function renderChat(template: ChatTemplate, prompt: PromptInput, tokens: TemplateTokens): string {
  const messages: Message[] = typeof prompt === 'string' ? [{ role: 'user', content: prompt }] : [...prompt]
  if (template.system !== undefined && messages[0]?.role !== 'system') messages.unshift({ role: 'system', content: template.system })
  const name = template.name ? ` (${template.name})` : ''
  let parsed = parsedChat.get(template.jinja)
  if (!parsed) {
    try {
      parsed = new Template(template.jinja)
    } catch (error) {
      throw templateError(`The model's chat template${name} is not valid Jinja: ${(error as Error).message}`)
    }
    if (parsedChat.size >= 32) parsedChat.clear()
    parsedChat.set(template.jinja, parsed)
  }
  try {
    return parsed.render({ messages, bos_token: tokens.bos ?? '', eos_token: tokens.eos, add_generation_prompt: true })
  } catch (error) {
    throw templateError(`The model's chat template${name} failed on this prompt: ${(error as Error).message}`)
  }
}

function templateError(message: string): NashlabError {
  return new NashlabError('invalid_input', message, { field: 'template' })
}
