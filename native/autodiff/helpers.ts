import type { GraphBuilder, Value } from '../onnx/builder'
import { knownNumbers } from '../onnx/infer/context'
import type { GradientContext } from './rule'

/** Swap the last two axes. */
export function transposeLast2(b: GraphBuilder, x: Value, name?: string): Value {
  const r = x.shape.length
  const perm = Array.from({ length: r }, (_, i) => i)
  perm[r - 1] = r - 2
  perm[r - 2] = r - 1
  return b.transpose(x, perm, name)
}

/** Normalise an axis against a rank. */
export function axisOf(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis
}

/**
 * The axes a Reduce* node reduces over, normalised and sorted: the `axes` attribute (ReduceSum
 * before opset 13, the others before 18) or the constant second input; empty means all axes
 * unless `noop_with_empty_axes` is set.
 */
export function reducedAxes(ctx: GradientContext): number[] {
  const x = ctx.input(0)
  const rank = x.shape.length
  const inputForm = ctx.node.opType === 'ReduceSum' ? ctx.opset >= 13 : ctx.opset >= 18
  let axes: number[] | undefined
  if (inputForm) {
    if (ctx.hasInput(1)) axes = knownNumbers(ctx.input(1)) ?? ctx.fail('needs constant axes.')
  } else axes = ctx.ints('axes')
  if (!axes || axes.length === 0) {
    if (inputForm && ctx.int('noop_with_empty_axes') === 1) return []
    return Array.from({ length: rank }, (_, i) => i)
  }
  return [...new Set(axes.map((a) => axisOf(a, rank)))].sort((a, b) => a - b)
}

/** A reduction's incoming gradient with the reduced axes restored as size 1 (keepdims form). */
export function keptDims(ctx: GradientContext, dy: Value, axes: number[]): Value {
  if (ctx.int('keepdims') === 1 || axes.length === 0) return dy
  return ctx.b.unsqueeze(dy, axes, 'keep')
}

/** Number of elements a reduction folds into each output element (a constant when shapes are known). */
export function reducedCount(ctx: GradientContext, x: Value, axes: number[]): Value {
  const b = ctx.b
  const dims = axes.map((a) => x.shape[a])
  if (dims.every((d) => typeof d === 'number')) return b.scalarLike((dims as number[]).reduce((p, d) => p * d, 1), x)
  const sizes = b.gather(b.shape(x), b.ints(axes), 0, 'reduced_dims')
  return b.cast(b.reduce('ReduceProd', sizes, [0], false, 'reduced_count'), x.dtype, 'reduced_count_cast')
}
