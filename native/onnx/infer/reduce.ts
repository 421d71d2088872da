import { DataType } from '../dtype'
import type { Dim } from '../model'
import { knownNumbers, normAxis, rankOf, type InferContext, type InferFn } from './context'

/**
 * The axes of a reduction: the `axes` attribute (ReduceSum before opset 13, the others before 18)
 * or the optional second input, which must then be a known constant.
 */
export function reduceAxes(ctx: InferContext, rank: number): number[] | 'unknown' {
  const fromInputSince = ctx.node.opType === 'ReduceSum' ? 13 : 18
  let axes: number[] | undefined
  if (ctx.opset >= fromInputSince) {
    const a = ctx.input(1)
    if (a) {
      const v = knownNumbers(a)
      if (!v) return 'unknown'
      axes = v
    }
  } else axes = ctx.ints('axes')
  if (!axes || axes.length === 0) {
    if (ctx.opset >= fromInputSince && ctx.int('noop_with_empty_axes') === 1) return []
    return Array.from({ length: rank }, (_, i) => i)
  }
  return [...new Set(axes.map((a) => normAxis(ctx, a, rank)))].sort((x, y) => x - y)
}

function reduceValue(op: string, values: number[]): number {
  switch (op) {
    case 'ReduceSum': return values.reduce((a, b) => a + b, 0)
    case 'ReduceProd': return values.reduce((a, b) => a * b, 1)
    case 'ReduceMax': return Math.max(...values)
    case 'ReduceMin': return Math.min(...values)
    case 'ReduceMean': return values.reduce((a, b) => a + b, 0) / values.length
    default: return NaN
  }
}

export const reduce: InferFn = (ctx) => {
  const x = ctx.required(0)
  const rank = rankOf(ctx, x)
  const keep = ctx.int('keepdims') === 1
  const axes = reduceAxes(ctx, rank)
  if (axes === 'unknown') return [{ dtype: x.dtype, shape: keep ? new Array<Dim>(rank).fill(null) : undefined }]
  const shape: Dim[] = []
  x.shape!.forEach((d, i) => {
    if (!axes.includes(i)) shape.push(d)
    else if (keep) shape.push(1)
  })
  const v = knownNumbers(x)
  const full = axes.length === rank
  const value = v && full && v.length > 0 ? [reduceValue(ctx.node.opType, v)] : undefined
  return [{ dtype: x.dtype, shape, ...(value && !Number.isNaN(value[0]) ? { value } : {}) }]
}

export const argReduce: InferFn = (ctx) => {
  const x = ctx.required(0)
  const rank = rankOf(ctx, x)
  const axis = normAxis(ctx, ctx.int('axis'), rank)
  const keep = ctx.int('keepdims') === 1
  const shape = x.shape!.flatMap((d, i) => (i !== axis ? [d] : keep ? [1] : []))
  return [{ dtype: DataType.int64, shape }]
}
