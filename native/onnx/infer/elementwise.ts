import { DataType, isFloat } from '../dtype'
import { broadcastShapes, evalBroadcast, knownNumbers, symbolicOp, type InferContext, type InferFn, type TensorInfo } from './context'

/** Integer division and rounding follow the element type (ONNX integer Div truncates). */
function intCast(dtype: number, v: number): number {
  if (isFloat(dtype)) return v
  if (dtype === DataType.bool) return v ? 1 : 0
  return Math.trunc(v)
}

/** Same type and shape as input 0; values mapped through `fn` when known. */
export function unary(fn?: (x: number) => number): InferFn {
  return (ctx) => {
    const x = ctx.required(0)
    const out: TensorInfo = { dtype: x.dtype, shape: x.shape }
    if (fn && x.value) {
      const v = knownNumbers(x)
      if (v) out.value = v.map((e) => intCast(x.dtype, fn(e)))
    } else if (!fn && x.value) out.value = x.value
    return [out]
  }
}

/** Boolean result of the same shape. */
export function unaryBool(fn: (x: number) => boolean): InferFn {
  return (ctx) => {
    const x = ctx.required(0)
    const v = knownNumbers(x)
    return [{ dtype: DataType.bool, shape: x.shape, ...(v ? { value: v.map((e) => Number(fn(e))) } : {}) }]
  }
}

/** Numpy-broadcast binary (or variadic) op; `bool` marks comparisons and logic ops. */
export function broadcast(fn: (...xs: number[]) => number, result: 'same' | 'bool' = 'same'): InferFn {
  return (ctx) => {
    const inputs: TensorInfo[] = []
    for (let i = 0; i < ctx.inputCount; i++) inputs.push(ctx.required(i))
    const shape = broadcastShapes(ctx, inputs.map((x) => x.shape))
    const dtype = result === 'bool' ? DataType.bool : inputs[0].dtype
    for (const x of inputs) {
      if (result === 'same' && x.dtype !== inputs[0].dtype && ctx.node.opType !== 'Pow') {
        ctx.fail(`mixes element types ${inputs.map((i) => i.dtype).join(' and ')}; insert a Cast.`)
      }
    }
    let value = evalBroadcast(inputs, shape, (...xs) => intCast(dtype, fn(...xs)))
    if (!value && inputs.length === 2 && shape && shape.length === 1 && inputs.every((x) => x.value)) {
      // Shape arithmetic with symbolic dims (e.g. [batch, 8] * [1, 2]).
      const [a, b] = inputs
      const n = shape[0]
      if (typeof n === 'number') {
        value = Array.from({ length: n }, (_, i) => symbolicOp(ctx.node.opType, a.value![a.value!.length === 1 ? 0 : i], b.value![b.value!.length === 1 ? 0 : i]))
      }
    }
    return [{ dtype, shape, ...(value ? { value } : {}) }]
  }
}

export const where: InferFn = (ctx) => {
  const c = ctx.required(0)
  const x = ctx.required(1)
  const y = ctx.required(2)
  if (x.dtype !== y.dtype) ctx.fail('has X and Y of different element types.')
  const shape = broadcastShapes(ctx, [c.shape, x.shape, y.shape])
  const value = evalBroadcast([c, x, y], shape, (cv, xv, yv) => (cv ? xv : yv))
  return [{ dtype: x.dtype, shape, ...(value ? { value } : {}) }]
}

export const cast: InferFn = (ctx) => {
  const x = ctx.required(0)
  const to = ctx.int('to')
  const out: TensorInfo = { dtype: to, shape: x.shape }
  if (x.value) {
    const v = knownNumbers(x)
    if (v) out.value = v.map((e) => intCast(to, e))
    else if (!isFloat(to) && !isFloat(x.dtype)) out.value = x.value
  }
  return [out]
}

/** Clip(x, min?, max?) (or the min/max attributes before opset 11). */
export const clip: InferFn = (ctx) => {
  const x = ctx.required(0)
  return [{ dtype: x.dtype, shape: x.shape }]
}

export const dropout: InferFn = (ctx) => {
  const x = ctx.required(0)
  return [{ dtype: x.dtype, shape: x.shape }, { dtype: DataType.bool, shape: x.shape }]
}

export const eyeLike: InferFn = (ctx) => {
  const x = ctx.required(0)
  const dtype = ctx.attr('dtype')
  return [{ dtype: typeof dtype === 'number' ? dtype : x.dtype, shape: x.shape }]
}

export function requireFloat(ctx: InferContext, info: TensorInfo, what: string): void {
  if (!isFloat(info.dtype)) ctx.fail(`needs a floating-point ${what}.`)
}
