import type { GraphBuilder, Value } from '../onnx/builder'
import type { Node } from '../onnx/model'

/**
 * What a gradient rule sees of one forward node. Rules emit standard ONNX ops through `b` (scoped
 * to `grad.<node name>`), return one gradient per input (null where none is needed or it is zero)
 * and never handle broadcasting: a returned gradient may have the broadcast (output) shape, and
 * the backward walk reduces it to the input's shape once, centrally.
 */
export interface GradientContext {
  readonly b: GraphBuilder
  readonly node: Node
  readonly opset: number
  /** Forward input i (must be present). */
  input(i: number): Value
  /** Whether forward input i is given (optional inputs may be omitted). */
  hasInput(i: number): boolean
  /** Forward output i; an omitted optional output (e.g. LayerNormalization's Mean) is added. */
  output(i: number): Value
  /** The gradient flowing into output i, or null when none does. */
  dy(i: number): Value | null
  /** Whether input i needs a gradient (it depends on a trained tensor through float ops). */
  needs(i: number): boolean
  /** The forward nodes that read a value (for rules that use how their output is consumed). */
  consumers(name: string): Node[]
  /**
   * The total gradient that arrived at a forward value read by nodes later in the graph (all of
   * them already differentiated when a rule runs), or null when none did.
   */
  gradientAt(name: string): Value | null
  int(name: string): number
  ints(name: string): number[] | undefined
  float(name: string): number
  string(name: string): string
  /** Whether the node sets an attribute (rather than relying on its default). */
  hasAttribute(name: string): boolean
  /** Throw an error naming the op and the node. */
  fail(message: string): never
}

export type Gradients = (Value | null | undefined)[]

export type GradientRule =
  | { kind: 'gradient'; backward(ctx: GradientContext): Gradients; minOpset?: number }
  | { kind: 'none'; reason: string }

/** A rule that emits gradients. `minOpset`: the ai.onnx opset its emitted ops need. */
export function gradient(backward: (ctx: GradientContext) => Gradients, minOpset?: number): GradientRule {
  return { kind: 'gradient', backward, ...(minOpset ? { minOpset } : {}) }
}

/** An op that carries no gradient (integer results, comparisons, shape plumbing, step functions). */
export function noGradient(reason: string): GradientRule {
  return { kind: 'none', reason }
}
