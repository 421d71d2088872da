import { z } from 'zod'

/**
 * The architecture of a Nashlab decoder (the policy, and the trunk of the preference and reward
 * models), nanoGPT style: one typed object, every field with its meaning and range. A model's
 * config.json stores the resolved object, defaults included.
 */
export const decoderConfigSchema = z
  .object({
    /** Token ids run over [0, vocabSize); at least the tokenizer's vocabulary. 2–65536. */
    vocabSize: z.number().int().min(2).max(65_536),
    /** Width of the residual stream (d_model). 8–4096, a multiple of `heads`. */
    dModel: z.number().int().min(8).max(4096),
    /** Transformer blocks. 1–48. */
    layers: z.number().int().min(1).max(48),
    /** Attention heads per block; dModel / heads is the head size (even, for rotary positions). */
    heads: z.number().int().min(1).max(64),
    /** Longest sequence (prompt + completion) in tokens. 8–8192. */
    context: z.number().int().min(8).max(8192),
    /** Normalisation before attention, before the MLP and before the head. */
    norm: z.enum(['layernorm', 'rmsnorm']).default('layernorm'),
    /** MLP: GELU (up, GELU, down) or SwiGLU (SiLU(x·gate) ⊙ x·up, then down). */
    mlp: z.enum(['gelu', 'swiglu']).default('gelu'),
    /** Hidden width of the MLP; default 4·dModel for GELU, the multiple of 8 nearest 8/3·dModel for SwiGLU. */
    mlpHidden: z.number().int().min(1).max(65_536).optional(),
    /** Learned absolute position embeddings, or rotary embeddings on queries and keys. */
    positions: z.enum(['learned', 'rotary']).default('learned'),
    /** Base of the rotary frequencies θ_i = base^(−2i/headSize). */
    rotaryBase: z.number().positive().default(10_000),
    /** The output head is the token embedding transposed (tied) or a separate matrix. */
    tiedEmbeddings: z.boolean().default(true),
    /** ε of the normalisations. */
    normEpsilon: z.number().positive().max(0.1).default(1e-5),
    /** Standard deviation of the normal initialisation (output projections are scaled by 1/√(2·layers)). */
    initStd: z.number().positive().max(1).default(0.02),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.dModel % c.heads !== 0) ctx.addIssue({ code: 'custom', path: ['heads'], message: `dModel ${c.dModel} is not a multiple of heads ${c.heads}` })
    else if (c.positions === 'rotary' && (c.dModel / c.heads) % 2 !== 0) {
      ctx.addIssue({ code: 'custom', path: ['heads'], message: `rotary positions need an even head size; dModel / heads is ${c.dModel / c.heads}` })
    }
  })

export type DecoderConfigInput = z.input<typeof decoderConfigSchema>
export type DecoderConfig = z.output<typeof decoderConfigSchema>

/** The size of one attention head. */
export function headSize(c: DecoderConfig): number {
  return c.dModel / c.heads
}

/** The MLP's hidden width, the default applied. */
export function mlpWidth(c: DecoderConfig): number {
  if (c.mlpHidden !== undefined) return c.mlpHidden
  return c.mlp === 'gelu' ? 4 * c.dModel : Math.max(8, Math.round((8 * c.dModel) / 3 / 8) * 8)
}

/** A resolved config from a partial one (throws zod's error; callers turn it into a NashlabError). */
export function resolveDecoderConfig(input: DecoderConfigInput): DecoderConfig {
  return decoderConfigSchema.parse(input)
}
