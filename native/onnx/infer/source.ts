import { DataType } from '../dtype'
import type { Dim, Tensor } from '../model'
import { tensorNumbers } from '../tensor'
import { knownNumbers, knownNumel, VALUE_LIMIT, type InferFn, type TensorInfo } from './context'

/** What inference knows of a constant tensor: type, shape and (when small) its values. */
export function tensorInfo(t: Tensor): TensorInfo {
  const info: TensorInfo = { dtype: t.dataType, shape: [...t.dims] }
  const n = knownNumel(t.dims)
  if (n !== undefined && n <= VALUE_LIMIT && t.data !== undefined && t.dataType !== DataType.string) info.value = tensorNumbers(t)
  return info
}

export const constant: InferFn = (ctx) => {
  const t = ctx.tensor('value')
  if (t) return [tensorInfo(t)]
  const a = ctx.node.attributes[0]
  if (!a) ctx.fail('has no value attribute.')
  switch (a.name) {
    case 'value_float': return [{ dtype: DataType.float, shape: [], value: [a.f ?? 0] }]
    case 'value_floats': return [{ dtype: DataType.float, shape: [a.floats?.length ?? 0], value: a.floats ?? [] }]
    case 'value_int': return [{ dtype: DataType.int64, shape: [], value: [a.i ?? 0] }]
    case 'value_ints': return [{ dtype: DataType.int64, shape: [a.ints?.length ?? 0], value: a.ints ?? [] }]
    default: return ctx.fail(`has attribute "${a.name}", which Nashlab does not read.`)
  }
}

export const constantOfShape: InferFn = (ctx) => {
  const shapeInfo = ctx.required(0)
  const t = ctx.tensor('value')
  const dtype = t?.dataType ?? DataType.float
  const fill = t ? tensorNumbers(t)[0] : 0
  if (!shapeInfo.value) {
    const n = shapeInfo.shape?.[0]
    return [{ dtype, shape: typeof n === 'number' ? new Array<Dim>(n).fill(null) : undefined }]
  }
  const shape = shapeInfo.value
  const n = knownNumel(shape)
  return [{ dtype, shape, ...(n !== undefined && n <= VALUE_LIMIT ? { value: new Array(n).fill(fill) } : {}) }]
}

export const range: InferFn = (ctx) => {
  const start = ctx.required(0)
  const limit = ctx.required(1)
  const delta = ctx.required(2)
  const [s, l, d] = [knownNumbers(start), knownNumbers(limit), knownNumbers(delta)]
  if (!s || !l || !d) return [{ dtype: start.dtype, shape: [null] }]
  const n = Math.max(Math.ceil((l[0] - s[0]) / d[0]), 0)
  return [{ dtype: start.dtype, shape: [n], ...(n <= VALUE_LIMIT ? { value: Array.from({ length: n }, (_, i) => s[0] + i * d[0]) } : {}) }]
}

export const shape: InferFn = (ctx) => {
  const x = ctx.required(0)
  if (!x.shape) return [{ dtype: DataType.int64, shape: [null] }]
  const rank = x.shape.length
  let start = 0
  let end = rank
  if (ctx.opset >= 15) {
    const s = ctx.attr('start')
    const e = ctx.attr('end')
    if (typeof s === 'number') start = Math.min(Math.max(s < 0 ? s + rank : s, 0), rank)
    if (typeof e === 'number') end = Math.min(Math.max(e < 0 ? e + rank : e, 0), rank)
  }
  const dims = x.shape.slice(start, Math.max(start, end))
  return [{ dtype: DataType.int64, shape: [dims.length], value: dims }]
}

export const size: InferFn = (ctx) => {
  const x = ctx.required(0)
  const n = knownNumel(x.shape)
  return [{ dtype: DataType.int64, shape: [], ...(n !== undefined ? { value: [n] } : {}) }]
}

