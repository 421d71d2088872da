import { z } from 'zod'
import { nashConfigSchema, type ConfigField, type NashAlgorithm } from '../../api/nashmd'
import type { RunOptions } from '../../api/runs'

/**
 * The run form's fields, read off the config schema itself (zod's JSON Schema: types, defaults,
 * ranges, choices; each field's `.describe()` is its one-line help), so the form, the CLI and the
 * validation can never disagree.
 */
const groups: Record<string, ConfigField['group']> = {
  algorithm: 'algorithm',
  policy: 'models',
  reference: 'models',
  preference: 'models',
  evalJudge: 'models',
  dataset: 'models',
  tau: 'game',
  beta: 'game',
  betaSchedule: 'game',
  betaEnd: 'game',
  betaPieces: 'game',
  emaDecay: 'game',
  kl: 'game',
  missingEosPenalty: 'game',
  pairOrder: 'game',
  rewardBaseline: 'game',
  maxTokens: 'sampling',
  maxPromptTokens: 'sampling',
  temperature: 'sampling',
  device: 'sampling',
  threads: 'sampling',
  evalPrompts: 'evaluation',
  evalEvery: 'evaluation',
  samplePrompts: 'evaluation',
  samplesEvery: 'evaluation',
  checkpointEvery: 'evaluation',
  keepCheckpoints: 'evaluation',
}

/** Fields only some algorithms read. */
const only: Partial<Record<string, NashAlgorithm[]>> = {
  beta: ['nash-md-pg', 'nash-ema-pg'],
  betaSchedule: ['nash-md-pg', 'nash-ema-pg'],
  betaEnd: ['nash-md-pg', 'nash-ema-pg'],
  betaPieces: ['nash-md-pg', 'nash-ema-pg'],
  emaDecay: ['nash-ema-pg'],
  pairOrder: ['nash-md-pg', 'self-play', 'best-response', 'nash-ema-pg'],
  rewardBaseline: ['rlhf'],
}

const modelFields = new Set(['policy', 'reference', 'preference', 'evalJudge'])
const safe = Number.MAX_SAFE_INTEGER

interface JsonField {
  type?: string
  enum?: string[]
  default?: unknown
  description?: string
  minimum?: number
  maximum?: number
  exclusiveMaximum?: number
  exclusiveMinimum?: number
  anyOf?: unknown[]
}

export const algorithmSummaries: RunOptions['algorithms'] = [
  { name: 'nash-md-pg', summary: 'Nash-MD-PG: play against the token-level mixture (1 − β)·π + β·μ' },
  { name: 'self-play', summary: 'Self-play: Nash-MD-PG with β = 0 (the opponent is the policy itself)' },
  { name: 'best-response', summary: 'Best response: Nash-MD-PG with β = 1 (the opponent is the reference)' },
  { name: 'nash-ema-pg', summary: 'Nash-EMA-PG: the opponent is the policy with EMA parameters' },
  { name: 'rlhf', summary: 'RLHF: KL-regularised REINFORCE on a Bradley–Terry reward (the baseline NLHF is compared with)' },
]

export function runOptions(): RunOptions {
  const schema = z.toJSONSchema(nashConfigSchema, { io: 'input' }) as { properties: Record<string, JsonField>; required?: string[] }
  const required = new Set(schema.required ?? [])
  const fields: ConfigField[] = Object.entries(schema.properties).map(([name, f]) => {
    const kind: ConfigField['kind'] = modelFields.has(name) ? 'model' : name === 'dataset' ? 'dataset' : name === 'betaPieces' ? 'pieces' : f.enum ? 'enum' : f.type === 'integer' ? 'integer' : 'number'
    const field: ConfigField = { name, group: groups[name] ?? 'optimisation', help: f.description ?? '', kind, required: required.has(name) }
    if (f.default !== undefined) field.default = f.default
    if (f.enum) field.choices = f.enum
    const minimum = f.minimum ?? f.exclusiveMinimum
    if (minimum !== undefined && Math.abs(minimum) < safe) field.minimum = minimum
    if (f.maximum !== undefined && f.maximum < safe) field.maximum = f.maximum
    if (f.exclusiveMaximum !== undefined) {
      field.maximum = f.exclusiveMaximum
      field.exclusiveMaximum = true
    }
    if (only[name]) field.algorithms = only[name]
    return field
  })
  return { fields, algorithms: algorithmSummaries }
}
