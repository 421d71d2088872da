import { z } from 'zod'
import { gptDefaults, mlpHidden, type GptConfig } from './gpt'

/**
 * The architecture of a Nashlab decoder (the policy, and the trunk of the preference and reward
 * models): gpt.ts's GptConfig, validated. Every program (train step, eval, generation with a KV
 * cache, export) is built from this one object and gpt.ts's weight names. A model stores the
 * resolved object, defaults included.
 */
export type DecoderConfig = GptConfig

export const decoderConfigSchema = z
  .object({
    /** Token ids run over [0, vocab); at least the tokenizer's vocabulary. 2–65536. */
    vocab: z.number().int().min(2).max(65_536),
    /** Width of the residual stream (d_model). 8–4096, a multiple of `heads`. */
    dModel: z.number().int().min(8).max(4096).default(gptDefaults.dModel),
    /** Transformer blocks. 1–48. */
    layers: z.number().int().min(1).max(48).default(gptDefaults.layers),
    /** Attention heads per block; dModel / heads is the head size (even, for rotary positions). */
    heads: z.number().int().min(1).max(64).default(gptDefaults.heads),
    /** Longest sequence (prompt + completion) in tokens. 8–8192. */
    context: z.number().int().min(8).max(8192).default(gptDefaults.context),
    /** Normalisation before attention, before the MLP and before the head. */
    norm: z.enum(['layernorm', 'rmsnorm']).default(gptDefaults.norm),
    /** MLP: GELU (fc, GELU, proj) or SwiGLU (SiLU(x·gate) ⊙ x·up, then down). */
    mlp: z.enum(['gelu', 'swiglu']).default(gptDefaults.mlp),
    /** Hidden width of the MLP; default 4·dModel for GELU, 8/3·dModel rounded up to a multiple of 8 for SwiGLU. */
    mlpHidden: z.number().int().min(1).max(65_536).optional(),
    /** Learned absolute position embeddings, or rotary embeddings on queries and keys. */
    positions: z.enum(['learned', 'rotary']).default(gptDefaults.positions),
    /** Base θ of the rotary frequencies θ^(−2i/headSize). */
    ropeTheta: z.number().positive().default(gptDefaults.ropeTheta),
    /** The output head is the token embedding transposed (tied) or a separate matrix. */
    tiedEmbeddings: z.boolean().default(gptDefaults.tiedEmbeddings),
    /** Biases on the linear layers (GPT-2 has them, Llama does not). */
    bias: z.boolean().default(gptDefaults.bias),
    /** GELU form: exact (erf) or the tanh approximation. */
    geluApproximation: z.enum(['none', 'tanh']).default(gptDefaults.geluApproximation),
    /** ε of the normalisations. */
    normEpsilon: z.number().positive().max(0.1).default(gptDefaults.normEpsilon),
    /** Standard deviation of the normal initialisation (residual projections are scaled by 1/√(2·layers)). */
    initStd: z.number().positive().max(1).default(gptDefaults.initStd),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.dModel % c.heads !== 0) ctx.addIssue({ code: 'custom', path: ['heads'], message: `dModel ${c.dModel} is not a multiple of heads ${c.heads}` })
    else if (c.positions === 'rotary' && (c.dModel / c.heads) % 2 !== 0) {
      ctx.addIssue({ code: 'custom', path: ['heads'], message: `rotary positions need an even head size; dModel / heads is ${c.dModel / c.heads}` })
    }
  })

export type DecoderConfigInput = z.input<typeof decoderConfigSchema>

/** The size of one attention head. */
export function headSize(c: DecoderConfig): number {
  return c.dModel / c.heads
}

/** The MLP's hidden width, the default applied. */
export const mlpWidth = mlpHidden

/** A resolved config from a partial one (throws zod's error; callers turn it into a NashlabError). */
export function resolveDecoderConfig(input: DecoderConfigInput): DecoderConfig {
  const parsed = decoderConfigSchema.parse(input)
  return { ...parsed } as DecoderConfig
}

/** One line about an architecture, for lists: "d 128 · 4 layers · 4 heads · context 256 · LayerNorm · GELU · learned positions · tied". */
export function describeArchitecture(c: DecoderConfig): string {
  return [
    `d ${c.dModel}`,
    `${c.layers} layer${c.layers === 1 ? '' : 's'}`,
    `${c.heads} head${c.heads === 1 ? '' : 's'}`,
    `context ${c.context}`,
    c.norm === 'layernorm' ? 'LayerNorm' : 'RMSNorm',
    c.mlp === 'gelu' ? 'GELU' : 'SwiGLU',
    c.positions === 'learned' ? 'learned positions' : 'rotary',
    c.tiedEmbeddings ? 'tied' : 'untied',
  ].join(' · ')
}
