import { NashlabError } from '../api/errors'
import { Rng } from '../runtime/rng'
import { headSize, mlpWidth, type DecoderConfig } from './config'

/**
 * A decoder's weights by name. Names (and shapes, with D = dModel, V = vocabSize, C = context,
 * F = the MLP width):
 *
 *   embed.tokens                (V, D)   token embedding; also the output head when tied
 *   embed.positions             (C, D)   learned positions only
 *   blocks.{i}.norm1.scale      (D)      (+ .bias with LayerNorm)
 *   blocks.{i}.attn.qkv         (D, 3D)  queries, keys, values side by side
 *   blocks.{i}.attn.out         (D, D)
 *   blocks.{i}.norm2.scale      (D)      (+ .bias with LayerNorm)
 *   blocks.{i}.mlp.up           (D, F)
 *   blocks.{i}.mlp.gate         (D, F)   SwiGLU only
 *   blocks.{i}.mlp.down         (F, D)
 *   norm.scale                  (D)      (+ .bias with LayerNorm)
 *   head                        (D, V)   untied only
 *
 * Linear layers have no biases. Matrices are stored (in, out): y = x · W.
 */
export type Weights = Map<string, Float32Array>

export interface WeightSpec {
  name: string
  shape: number[]
  /** How it starts: ones (norm scales), zeros (norm biases), or normal with this std. */
  init: { kind: 'ones' } | { kind: 'zeros' } | { kind: 'normal'; std: number }
}

/** Every weight of a config, in a fixed order (the order checkpoints and train-step inputs use). */
export function weightSpecs(c: DecoderConfig): WeightSpec[] {
  const D = c.dModel
  const F = mlpWidth(c)
  const std = c.initStd
  // GPT-2's scaling of residual projections keeps the stream's variance from growing with depth.
  const residualStd = std / Math.sqrt(2 * c.layers)
  const normal = (s: number) => ({ kind: 'normal' as const, std: s })
  const specs: WeightSpec[] = [{ name: 'embed.tokens', shape: [c.vocabSize, D], init: normal(std) }]
  if (c.positions === 'learned') specs.push({ name: 'embed.positions', shape: [c.context, D], init: normal(std) })
  const norm = (prefix: string) => {
    specs.push({ name: `${prefix}.scale`, shape: [D], init: { kind: 'ones' } })
    if (c.norm === 'layernorm') specs.push({ name: `${prefix}.bias`, shape: [D], init: { kind: 'zeros' } })
  }
  for (let i = 0; i < c.layers; i++) {
    const p = `blocks.${i}`
    norm(`${p}.norm1`)
    specs.push({ name: `${p}.attn.qkv`, shape: [D, 3 * D], init: normal(std) })
    specs.push({ name: `${p}.attn.out`, shape: [D, D], init: normal(residualStd) })
    norm(`${p}.norm2`)
    specs.push({ name: `${p}.mlp.up`, shape: [D, F], init: normal(std) })
    if (c.mlp === 'swiglu') specs.push({ name: `${p}.mlp.gate`, shape: [D, F], init: normal(std) })
    specs.push({ name: `${p}.mlp.down`, shape: [F, D], init: normal(residualStd) })
  }
  norm('norm')
  if (!c.tiedEmbeddings) specs.push({ name: 'head', shape: [D, c.vocabSize], init: normal(std) })
  return specs
}

/** Fresh weights drawn from `seed` (the same seed gives the same weights everywhere). */
export function initWeights(c: DecoderConfig, seed: number): Weights {
  const rng = Rng.fromSeed(seed)
  const weights: Weights = new Map()
  for (const spec of weightSpecs(c)) {
    const data = new Float32Array(spec.shape.reduce((a, b) => a * b, 1))
    if (spec.init.kind === 'ones') data.fill(1)
    else if (spec.init.kind === 'normal') for (let i = 0; i < data.length; i++) data[i] = rng.normal() * spec.init.std
    weights.set(spec.name, data)
  }
  return weights
}

/** Number of trainable parameters. */
export function parameterCount(c: DecoderConfig): number {
  return weightSpecs(c).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0)
}

/** Check that `weights` has exactly the tensors of `c`, with the right sizes; names what is wrong. */
export function checkWeights(c: DecoderConfig, weights: Weights, where: string): void {
  for (const spec of weightSpecs(c)) {
    const data = weights.get(spec.name)
    const size = spec.shape.reduce((a, b) => a * b, 1)
    if (!data) throw new NashlabError('bad_file', `${where} has no weight "${spec.name}".`, { tensor: spec.name })
    if (data.length !== size) {
      throw new NashlabError('bad_file', `Weight "${spec.name}" in ${where} has ${data.length} values; shape [${spec.shape.join(', ')}] needs ${size}.`, { tensor: spec.name })
    }
  }
}

/** Sizes used in shape comments and messages. */
export function dims(c: DecoderConfig) {
  return { D: c.dModel, H: c.heads, Dh: headSize(c), F: mlpWidth(c), V: c.vocabSize, C: c.context }
}
