import { NashlabError } from '../api/errors'
import type { DecoderConfig } from './config'
import { gptParameterCount, gptParams, initGptWeights } from './gpt'

/**
 * A decoder's weights by name: gpt.ts's names and shapes (D = dModel, V = vocab, C = context,
 * F = the MLP width; biases only when `bias`):
 *
 *   wte                               (V, D)   token embedding; also the output head when tied
 *   wpe                               (C, D)   learned positions only
 *   block{l}.ln1.scale / .bias        (D)      (bias with LayerNorm only)
 *   block{l}.attn.qkv.weight / .bias  (D, 3D)  queries, keys, values side by side
 *   block{l}.attn.proj.weight / .bias (D, D)
 *   block{l}.ln2.scale / .bias        (D)
 *   block{l}.mlp.fc / .proj           (D, F) / (F, D)          GELU
 *   block{l}.mlp.gate / .up / .down   (D, F) / (D, F) / (F, D) SwiGLU
 *   ln_f.scale / .bias                (D)
 *   head.weight / .bias               (D, V)   untied only
 *
 * Matrices are stored (in, out): y = x · W + b.
 */
export type Weights = Map<string, Float32Array>

export interface WeightSpec {
  name: string
  shape: number[]
  /** Whether AdamW's weight decay applies (matrices and embeddings). */
  decay: boolean
}

/** Every weight of a config, in a fixed order (the order checkpoints and train-step inputs use). */
export function weightSpecs(c: DecoderConfig): WeightSpec[] {
  return gptParams(c)
}

/** Fresh weights drawn from `seed` (gpt.ts's initialisation: the same seed gives the same weights everywhere). */
export function initWeights(c: DecoderConfig, seed: number): Weights {
  return initGptWeights(c, seed)
}

/** Number of trainable parameters. */
export function parameterCount(c: DecoderConfig): number {
  return gptParameterCount(c)
}

/** Shapes by name, as checkpoints store them. */
export function weightShapes(specs: readonly WeightSpec[]): Map<string, number[]> {
  return new Map(specs.map((s) => [s.name, s.shape]))
}

/** Check that `weights` has every tensor of `specs` with the right size; names what is wrong. */
export function checkWeights(specs: readonly WeightSpec[], weights: Weights, where: string): void {
  for (const spec of specs) {
    const data = weights.get(spec.name)
    const size = spec.shape.reduce((a, b) => a * b, 1)
    if (!data) throw new NashlabError('bad_file', `${where} has no weight "${spec.name}".`, { tensor: spec.name })
    if (data.length !== size) {
      throw new NashlabError('bad_file', `Weight "${spec.name}" in ${where} has ${data.length} values; shape [${spec.shape.join(', ')}] needs ${size}.`, { tensor: spec.name })
    }
  }
}
