import { dataTypeName } from '../dtype'
import type { Dim, Node, Tensor } from '../model'

/**
 * What static inference knows about a tensor: its element type, its shape (dims may be symbolic
 * names or unknown; absent when even the rank is unknown), and, for small tensors whose elements
 * follow from constants and shapes (the `Shape → Gather → Concat → Reshape` plumbing), the element
 * values row-major (symbolic or unknown elements allowed, so dynamic shapes keep their names).
 */
export interface TensorInfo {
  dtype: number
  shape?: Dim[]
  value?: Dim[]
}

/** Resolved attribute values of a node (the catalogue's defaults filled in). */
export type AttributeValue = number | number[] | string | string[] | Tensor | Tensor[] | undefined

export interface InferContext {
  node: Node
  opset: number
  /** Input i, or undefined when the input is omitted. */
  input(i: number): TensorInfo | undefined
  /** Input i, which must be present. */
  required(i: number): TensorInfo
  inputCount: number
  outputCount: number
  attr(name: string): AttributeValue
  int(name: string): number
  ints(name: string): number[] | undefined
  float(name: string): number
  string(name: string): string
  tensor(name: string): Tensor | undefined
  /** Throw an error naming the op and node. */
  fail(message: string): never
}

export type InferFn = (ctx: InferContext) => TensorInfo[]

/** Largest tensor whose element values inference tracks. */
export const VALUE_LIMIT = 4096

/** Product of dims when all are numbers. */
export function knownNumel(shape: readonly Dim[] | undefined): number | undefined {
  if (!shape) return undefined
  let n = 1
  for (const d of shape) {
    if (typeof d !== 'number') return undefined
    n *= d
  }
  return n
}

/** The values as numbers when every element is known. */
export function knownNumbers(info: TensorInfo | undefined): number[] | undefined {
  if (!info?.value) return undefined
  for (const v of info.value) if (typeof v !== 'number') return undefined
  return info.value as number[]
}

/** The rank, failing when unknown. */
export function rankOf(ctx: InferContext, info: TensorInfo, what = 'input'): number {
  if (!info.shape) ctx.fail(`needs the rank of its ${what}, which is unknown; give the graph inputs shapes.`)
  return info.shape.length
}

/** Normalise a possibly negative axis against a rank. */
export function normAxis(ctx: InferContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis
  if (a < 0 || a >= rank) ctx.fail(`has axis ${axis}, out of range for rank ${rank}.`)
  return a
}

/** Broadcast two dims under numpy rules (unknown where it cannot be decided). */
export function broadcastDim(a: Dim, b: Dim): Dim | 'mismatch' {
  if (a === b) return a
  if (a === 1) return b
  if (b === 1) return a
  if (typeof a === 'number' && typeof b === 'number') return 'mismatch'
  if (typeof a === 'number') return a
  if (typeof b === 'number') return b
  return null
}

/** Numpy broadcast of shapes. */
export function broadcastShapes(ctx: InferContext, shapes: (Dim[] | undefined)[]): Dim[] | undefined {
  if (shapes.some((s) => !s)) return undefined
  const rank = Math.max(...shapes.map((s) => s!.length))
  const out: Dim[] = new Array(rank).fill(1)
  for (const s of shapes) {
    const offset = rank - s!.length
    for (let i = 0; i < s!.length; i++) {
      const d = broadcastDim(out[offset + i], s![i])
      if (d === 'mismatch') ctx.fail(`cannot broadcast shapes ${shapes.map((x) => formatShape(x)).join(' and ')}.`)
      out[offset + i] = d
    }
  }
  return out
}

export function formatShape(shape: readonly Dim[] | undefined): string {
  return shape ? `[${shape.map((d) => (d === null ? '?' : d)).join(', ')}]` : '[rank unknown]'
}

export function formatInfo(info: TensorInfo): string {
  return `${dataTypeName(info.dtype)} ${formatShape(info.shape)}`
}

/** Row-major strides of a numeric shape. */
export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length)
  let acc = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc
    acc *= shape[i]
  }
  return s
}

/**
 * Elementwise evaluation with broadcasting, for tensors whose values are all known.
 * Returns undefined when some input value or shape is not known, or the result is too large.
 */
export function evalBroadcast(inputs: (TensorInfo | undefined)[], out: Dim[] | undefined, fn: (...xs: number[]) => number): Dim[] | undefined {
  const n = knownNumel(out)
  if (n === undefined || n > VALUE_LIMIT || !out) return undefined
  const values = inputs.map(knownNumbers)
  if (values.some((v) => v === undefined)) return undefined
  const outShape = out as number[]
  const outStrides = strides(outShape)
  const inStrides = inputs.map((info) => {
    const shape = info!.shape as number[]
    const s = strides(shape)
    const offset = outShape.length - shape.length
    return outShape.map((_, axis) => (axis < offset || shape[axis - offset] === 1 ? 0 : s[axis - offset]))
  })
  const result = new Array<Dim>(n)
  const args = new Array<number>(inputs.length)
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < inputs.length; k++) {
      let idx = 0
      let rem = i
      for (let axis = 0; axis < outShape.length; axis++) {
        const c = Math.floor(rem / outStrides[axis])
        rem -= c * outStrides[axis]
        idx += c * inStrides[k][axis]
      }
      args[k] = values[k]![idx]
    }
    result[i] = fn(...args)
  }
  return result
}

/**
 * Symbolic dims are products: "batch", "4*batch", "batch*seq" (a coefficient, then symbol names
 * sorted). These helpers multiply and divide them, so that reshaping (batch, 4, 8) to (-1, 8)
 * gives ("4*batch", 8) and back again.
 */
export interface Monomial {
  coef: number
  symbols: string[]
}

export function toMonomial(d: Dim): Monomial | undefined {
  if (d === null) return undefined
  if (typeof d === 'number') return { coef: d, symbols: [] }
  const m: Monomial = { coef: 1, symbols: [] }
  for (const part of d.split('*')) {
    const n = Number(part)
    if (part !== '' && Number.isFinite(n)) m.coef *= n
    else m.symbols.push(part)
  }
  m.symbols.sort()
  return m
}

export function fromMonomial(m: Monomial): Dim {
  if (m.symbols.length === 0) return m.coef
  return m.coef === 1 ? m.symbols.join('*') : `${m.coef}*${m.symbols.join('*')}`
}

/** Product of dims (null when one is unknown). */
export function multiplyDims(dims: readonly Dim[]): Dim {
  const out: Monomial = { coef: 1, symbols: [] }
  for (const d of dims) {
    const m = toMonomial(d)
    if (!m) return null
    out.coef *= m.coef
    out.symbols.push(...m.symbols)
  }
  out.symbols.sort()
  return fromMonomial(out)
}

/** a / b when it divides exactly (null otherwise). */
export function divideDims(a: Dim, b: Dim): Dim {
  const x = toMonomial(a)
  const y = toMonomial(b)
  if (!x || !y || y.coef === 0 || x.coef % y.coef !== 0) return null
  const symbols = [...x.symbols]
  for (const s of y.symbols) {
    const i = symbols.indexOf(s)
    if (i === -1) return null
    symbols.splice(i, 1)
  }
  return fromMonomial({ coef: x.coef / y.coef, symbols })
}

/** Element-wise combination of values that may be symbolic: exact for numbers, products kept symbolically, x+0 passes. */
export function symbolicOp(op: string, a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return null
  if (op === 'Mul' && a !== null && b !== null) return multiplyDims([a, b])
  if (op === 'Div' && a !== null && b !== null) return divideDims(a, b)
  if (op === 'Mul' && a === 1) return b
  if ((op === 'Mul' || op === 'Div') && b === 1) return a
  if ((op === 'Add' || op === 'Sub') && b === 0) return a
  if (op === 'Add' && a === 0) return b
  return null
}
