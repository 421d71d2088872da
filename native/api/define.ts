import type { z } from 'zod'

/**
 * One contract method: a runtime schema for its input (validated at every process or network
 * boundary) and a phantom type for its output. Outputs are produced by our own engine, so they are
 * typed statically and not re-validated.
 */
export interface MethodDef<I extends z.ZodType = z.ZodType, O = unknown> {
  readonly input: I
  /** One line shown by `nashlab --help` and in API listings. */
  readonly summary: string
  /** Phantom: never set at runtime, carries the output type. */
  readonly output?: O
}

/**
 * Declare a method: `method<Output>()(inputSchema, 'summary')`. The curried form lets TypeScript
 * infer the schema type while the output type is written out.
 */
export function method<O>() {
  return <I extends z.ZodType>(input: I, summary: string): MethodDef<I, O> => ({ input, summary })
}
