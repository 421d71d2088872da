import { DataType } from '../dtype'
import type { Dim } from '../model'
import { broadcastShapes, divideDims, knownNumbers, knownNumel, multiplyDims, normAxis, rankOf, strides, VALUE_LIMIT, type InferContext, type InferFn, type TensorInfo } from './context'

/** Axes from the attribute (before `since`) or from input `index` (a known constant). */
function axesOf(ctx: InferContext, index: number, since: number): number[] | undefined | 'unknown' {
  if (ctx.opset < since) return ctx.ints('axes')
  const a = ctx.input(index)
  if (!a) return undefined
  return knownNumbers(a) ?? 'unknown'
}

/** Symbolic-aware size of a -1 Reshape dim: numel(input) / numel(other target dims). */
function inferMinusOne(input: Dim[], others: Dim[]): Dim {
  return divideDims(multiplyDims(input), multiplyDims(others))
}

export const reshape: InferFn = (ctx) => {
  const x = ctx.required(0)
  const target = ctx.required(1)
  if (!target.value) {
    const n = target.shape?.[0]
    return [{ dtype: x.dtype, shape: typeof n === 'number' ? new Array<Dim>(n).fill(null) : undefined }]
  }
  const allowZero = ctx.opset >= 14 && ctx.int('allowzero') === 1
  const dims: Dim[] = target.value.map((d, i) => (d === 0 && !allowZero ? (x.shape ? x.shape[i] : null) : d))
  const minus = dims.indexOf(-1)
  if (minus !== -1) {
    if (dims.indexOf(-1, minus + 1) !== -1) ctx.fail('has more than one -1 in its target shape.')
    dims[minus] = x.shape ? inferMinusOne(x.shape, dims.filter((_, i) => i !== minus)) : null
  }
  const inN = knownNumel(x.shape)
  const outN = knownNumel(dims)
  if (inN !== undefined && outN !== undefined && inN !== outN) ctx.fail(`cannot reshape ${inN} elements into [${dims.join(', ')}].`)
  return [{ dtype: x.dtype, shape: dims, ...(x.value ? { value: x.value } : {}) }]
}

export const flatten: InferFn = (ctx) => {
  const x = ctx.required(0)
  const rank = rankOf(ctx, x)
  const axis = ctx.int('axis') < 0 ? ctx.int('axis') + rank : ctx.int('axis')
  const a = multiplyDims(x.shape!.slice(0, axis))
  const b = multiplyDims(x.shape!.slice(axis))
  return [{ dtype: x.dtype, shape: [a, b], ...(x.value ? { value: x.value } : {}) }]
}

export const transpose: InferFn = (ctx) => {
  const x = ctx.required(0)
  const rank = rankOf(ctx, x)
  const perm = ctx.ints('perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i)
  if (perm.length !== rank) ctx.fail(`has perm [${perm.join(', ')}] for a rank-${rank} input.`)
  const shape = perm.map((p) => x.shape![p])
  let value: Dim[] | undefined
  const n = knownNumel(x.shape)
  if (x.value && n !== undefined && n <= VALUE_LIMIT) {
    const inShape = x.shape as number[]
    const inStrides = strides(inShape)
    const outShape = shape as number[]
    const outStrides = strides(outShape)
    value = new Array<Dim>(n)
    for (let i = 0; i < n; i++) {
      let rem = i
      let src = 0
      for (let a = 0; a < rank; a++) {
        const c = Math.floor(rem / outStrides[a])
        rem -= c * outStrides[a]
        src += c * inStrides[perm[a]]
      }
      value[i] = x.value[src]
    }
  }
  return [{ dtype: x.dtype, shape, ...(value ? { value } : {}) }]
}

export const squeeze: InferFn = (ctx) => {
  const x = ctx.required(0)
  const rank = rankOf(ctx, x)
  const shape = x.shape!
  const axes = axesOf(ctx, 1, 13)
  if (axes === 'unknown') return [{ dtype: x.dtype }]
  let drop: number[]
  if (!axes || axes.length === 0) {
    if (shape.some((d) => typeof d !== 'number')) ctx.fail('squeezes all size-1 axes of a shape that is not fully known; give explicit axes or static shapes.')
    drop = shape.flatMap((d, i) => (d === 1 ? [i] : []))
  } else drop = axes.map((a) => normAxis(ctx, a, rank))
  for (const a of drop) {
    const d = shape[a]
    if (typeof d === 'number' && d !== 1) ctx.fail(`squeezes axis ${a} of size ${d}.`)
  }
  return [{ dtype: x.dtype, shape: shape.filter((_, i) => !drop.includes(i)), ...(x.value ? { value: x.value } : {}) }]
}

export const unsqueeze: InferFn = (ctx) => {
  const x = ctx.required(0)
  const rank = rankOf(ctx, x)
  const axes = axesOf(ctx, 1, 13)
  if (axes === 'unknown' || !axes) return [{ dtype: x.dtype }]
  const outRank = rank + axes.length
  const norm = axes.map((a) => normAxis(ctx, a, outRank)).sort((a, b) => a - b)
  const shape: Dim[] = []
  let k = 0
  for (let i = 0; i < outRank; i++) shape.push(norm.includes(i) ? 1 : x.shape![k++])
  return [{ dtype: x.dtype, shape, ...(x.value ? { value: x.value } : {}) }]
}

export const concat: InferFn = (ctx) => {
  const inputs: TensorInfo[] = []
  for (let i = 0; i < ctx.inputCount; i++) inputs.push(ctx.required(i))
  const first = inputs[0]
  const rank = rankOf(ctx, first)
  const axis = normAxis(ctx, ctx.int('axis'), rank)
  const shape: Dim[] = [...first.shape!]
  let size: Dim = 0
  for (const x of inputs) {
    const xs = x.shape
    if (!xs || xs.length !== rank) return ctx.fail('concatenates inputs of different ranks.')
    const d = xs[axis]
    size = typeof size === 'number' && typeof d === 'number' ? size + d : null
    for (let a = 0; a < rank; a++) {
      if (a === axis) continue
      const s = shape[a]
      const e = xs[a]
      if (typeof s === 'number' && typeof e === 'number' && s !== e) ctx.fail(`concatenates shapes that differ on axis ${a} (${s} vs ${e}).`)
      if (s === null) shape[a] = e
    }
  }
  shape[axis] = size
  const value = rank === 1 && inputs.every((x) => x.value) ? inputs.flatMap((x) => x.value!) : undefined
  return [{ dtype: first.dtype, shape, ...(value ? { value } : {}) }]
}

export const split: InferFn = (ctx) => {
  const x = ctx.required(0)
  const rank = rankOf(ctx, x)
  const axis = normAxis(ctx, ctx.int('axis'), rank)
  let sizes: number[] | undefined
  if (ctx.opset >= 13) {
    const s = ctx.input(1)
    if (s) sizes = knownNumbers(s) ?? ctx.fail('needs constant split sizes.')
  } else sizes = ctx.ints('split')
  const total = x.shape![axis]
  if (!sizes) {
    const parts = ctx.outputCount
    if (typeof total !== 'number') return ctx.fail(`splits axis ${axis} of unknown size into equal parts; static shapes are needed.`)
    const chunk = Math.ceil(total / parts)
    sizes = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(chunk, total - i * chunk)))
  }
  if (sizes.length !== ctx.outputCount) ctx.fail(`has ${sizes.length} split sizes for ${ctx.outputCount} outputs.`)
  let start = 0
  return sizes.map((n) => {
    const shape = [...x.shape!]
    shape[axis] = n
    const value = rank === 1 && x.value ? x.value.slice(start, start + n) : undefined
    start += n
    return { dtype: x.dtype, shape, ...(value ? { value } : {}) }
  })
}

/** Resolved per-axis slice parameters, clamped as the ONNX spec says. */
export interface SliceAxis {
  axis: number
  start: number
  end: number
  step: number
  /** Number of elements taken. */
  count: number
}

/** Slice parameters when starts/ends/axes/steps and the sliced dims are known. */
export function sliceParams(ctx: InferContext, x: TensorInfo): SliceAxis[] | undefined {
  rankOf(ctx, x)
  let starts: number[] | undefined
  let ends: number[] | undefined
  let axes: number[] | undefined
  let steps: number[] | undefined
  if (ctx.opset < 10) {
    starts = ctx.ints('starts')
    ends = ctx.ints('ends')
    axes = ctx.ints('axes')
  } else {
    starts = knownNumbers(ctx.required(1))
    ends = knownNumbers(ctx.required(2))
    const a = ctx.input(3)
    const s = ctx.input(4)
    axes = a ? knownNumbers(a) : undefined
    steps = s ? knownNumbers(s) : undefined
    if ((a && !axes) || (s && !steps)) return undefined
  }
  if (!starts || !ends) return undefined
  return resolveSlice(x.shape!, starts, ends, axes, steps, ctx.fail)
}

/**
 * Per-axis slice parameters clamped as the ONNX spec says; undefined when a sliced dim is not a
 * known number.
 */
export function resolveSlice(shape: readonly Dim[], starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined, fail: (m: string) => never): SliceAxis[] | undefined {
  const rank = shape.length
  const out: SliceAxis[] = []
  for (let i = 0; i < starts.length; i++) {
    const rawAxis = axes ? axes[i] : i
    const axis = rawAxis < 0 ? rawAxis + rank : rawAxis
    if (axis < 0 || axis >= rank) fail(`has axis ${rawAxis}, out of range for rank ${rank}.`)
    const dim = shape[axis]
    if (typeof dim !== 'number') return undefined
    const step = steps ? steps[i] : 1
    if (step === 0) fail('has a zero step.')
    let start = starts[i] < 0 ? starts[i] + dim : starts[i]
    let end = ends[i] < 0 ? ends[i] + dim : ends[i]
    if (step > 0) {
      start = Math.min(Math.max(start, 0), dim)
      end = Math.min(Math.max(end, 0), dim)
    } else {
      start = Math.min(Math.max(start, 0), dim - 1)
      end = Math.min(Math.max(end, -1), dim - 1)
    }
    const count = Math.max(0, Math.ceil((end - start) / step))
    out.push({ axis, start, end, step, count })
  }
  return out
}

export const slice: InferFn = (ctx) => {
  const x = ctx.required(0)
  const rank = rankOf(ctx, x)
  const params = sliceParams(ctx, x)
  if (!params) {
    // Unknown parameters: sliced axes get unknown sizes (all of them if axes are unknown).
    return [{ dtype: x.dtype, shape: new Array<Dim>(rank).fill(null) }]
  }
  const shape = [...x.shape!]
  for (const p of params) shape[p.axis] = p.count
  let value: Dim[] | undefined
  if (rank === 1 && x.value && params.length === 1) {
    const p = params[0]
    value = []
    for (let i = 0, k = p.start; i < p.count; i++, k += p.step) value.push(x.value[k])
  }
  return [{ dtype: x.dtype, shape, ...(value ? { value } : {}) }]
}

export const expand: InferFn = (ctx) => {
  const x = ctx.required(0)
  const target = ctx.required(1)
  if (!target.value) {
    const n = target.shape?.[0]
    return [{ dtype: x.dtype, shape: typeof n === 'number' && x.shape ? new Array<Dim>(Math.max(n, x.shape.length)).fill(null) : undefined }]
  }
  const shape = broadcastShapes(ctx, [x.shape, target.value])
  let value: Dim[] | undefined
  const n = knownNumel(shape)
  const xv = knownNumbers(x)
  if (xv && n !== undefined && n <= VALUE_LIMIT && knownNumel(x.shape) === 1) value = new Array(n).fill(xv[0])
  return [{ dtype: x.dtype, shape, ...(value ? { value } : {}) }]
}

export const tile: InferFn = (ctx) => {
  const x = ctx.required(0)
  const reps = knownNumbers(ctx.required(1))
  const rank = rankOf(ctx, x)
  if (!reps) return [{ dtype: x.dtype, shape: new Array<Dim>(rank).fill(null) }]
  return [{ dtype: x.dtype, shape: x.shape!.map((d, i) => (typeof d === 'number' ? d * reps[i] : reps[i] === 1 ? d : null)) }]
}

export const gather: InferFn = (ctx) => {
  const data = ctx.required(0)
  const indices = ctx.required(1)
  const rank = rankOf(ctx, data)
  const axis = normAxis(ctx, ctx.int('axis'), rank)
  if (!indices.shape) return [{ dtype: data.dtype }]
  const shape = [...data.shape!.slice(0, axis), ...indices.shape, ...data.shape!.slice(axis + 1)]
  let value: Dim[] | undefined
  const idx = knownNumbers(indices)
  if (rank === 1 && data.value && idx) {
    const n = data.value.length
    value = idx.map((i) => data.value![i < 0 ? i + n : i])
  }
  return [{ dtype: data.dtype, shape, ...(value ? { value } : {}) }]
}

export const gatherElements: InferFn = (ctx) => {
  const data = ctx.required(0)
  const indices = ctx.required(1)
  return [{ dtype: data.dtype, shape: indices.shape }]
}

export const sameAsData: InferFn = (ctx) => {
  const data = ctx.required(0)
  return [{ dtype: data.dtype, shape: data.shape }]
}

export const pad: InferFn = (ctx) => {
  const x = ctx.required(0)
  const rank = rankOf(ctx, x)
  const pads = ctx.opset >= 11 ? knownNumbers(ctx.required(1)) : ctx.ints('pads')
  if (!pads) return [{ dtype: x.dtype, shape: new Array<Dim>(rank).fill(null) }]
  let axes = Array.from({ length: rank }, (_, i) => i)
  if (ctx.opset >= 18 && ctx.input(3)) {
    const a = knownNumbers(ctx.input(3))
    if (!a) return [{ dtype: x.dtype, shape: new Array<Dim>(rank).fill(null) }]
    axes = a.map((v) => normAxis(ctx, v, rank))
  }
  const shape = [...x.shape!]
  axes.forEach((axis, i) => {
    const d = shape[axis]
    const extra = pads[i] + pads[i + axes.length]
    shape[axis] = typeof d === 'number' ? d + extra : extra === 0 ? d : null
  })
  return [{ dtype: x.dtype, shape }]
}

export const trilu: InferFn = (ctx) => {
  const x = ctx.required(0)
  return [{ dtype: x.dtype, shape: x.shape }]
}

export const oneHot: InferFn = (ctx) => {
  const indices = ctx.required(0)
  const depth = knownNumbers(ctx.required(1))
  const values = ctx.required(2)
  const rank = rankOf(ctx, indices) + 1
  const axis = normAxis(ctx, ctx.int('axis'), rank)
  const shape = [...indices.shape!]
  shape.splice(axis, 0, depth ? depth[0] : null)
  return [{ dtype: values.dtype, shape }]
}

export const nonZero: InferFn = (ctx) => {
  const x = ctx.required(0)
  return [{ dtype: DataType.int64, shape: [rankOf(ctx, x), null] }]
}
