import { DataType, byteSize, dataTypeName, typedArrayClass, type TypedArray } from './dtype'
import type { Tensor } from './model'

/** Number of elements of a shape. */
export function numel(dims: readonly number[]): number {
  let n = 1
  for (const d of dims) n *= d
  return n
}

/** A TensorProto holding `values` (a typed array of the data type's class, or plain numbers). */
export function makeTensor(name: string, dataType: number, dims: readonly number[], values: TypedArray | readonly number[] | readonly bigint[]): Tensor {
  const count = numel(dims)
  if (values.length !== count) {
    throw new Error(`Tensor "${name}" has ${values.length} values but shape [${dims.join(', ')}] needs ${count}.`)
  }
  const Cls = typedArrayClass(dataType)
  let array: TypedArray
  if (values instanceof Cls) array = values
  else if (Cls === BigInt64Array || Cls === BigUint64Array) {
    const big = new (Cls as BigInt64ArrayConstructor)(count)
    for (let i = 0; i < count; i++) big[i] = toBigInt(values[i] as number | bigint)
    array = big
  } else array = (Cls as Float32ArrayConstructor).from(values as ArrayLike<number>)
  return { name, dataType, dims: [...dims], data: new Uint8Array(array.buffer, array.byteOffset, array.byteLength) }
}

const INT64_MAX = 9223372036854775807n
const INT64_MIN = -9223372036854775808n

/** A number as an int64, clamped to the int64 range (INT64_MAX as a double rounds up past it). */
export function toBigInt(v: number | bigint): bigint {
  if (typeof v === 'bigint') return v
  if (!Number.isFinite(v)) return v > 0 ? INT64_MAX : INT64_MIN
  const b = BigInt(Math.trunc(v))
  return b > INT64_MAX ? INT64_MAX : b < INT64_MIN ? INT64_MIN : b
}

/** A tensor's elements as a typed array (a view when aligned, else a copy). */
export function tensorArray(t: Tensor): TypedArray {
  if (t.data === undefined) {
    throw new Error(
      t.external
        ? `Tensor "${t.name}" lives in external file "${t.external.location}", which was not loaded.`
        : `Tensor "${t.name}" has no data.`,
    )
  }
  const Cls = typedArrayClass(t.dataType) as unknown as { new (b: ArrayBufferLike, o: number, n: number): TypedArray; BYTES_PER_ELEMENT: number }
  const size = byteSize(t.dataType)
  const count = t.data.byteLength / size
  if (t.data.byteOffset % size === 0) return new Cls(t.data.buffer, t.data.byteOffset, count)
  const copy = t.data.slice()
  return new Cls(copy.buffer, 0, count)
}

/** A tensor's elements as plain numbers (int64 converted; beyond 2^53 loses precision). */
export function tensorNumbers(t: Tensor): number[] {
  if (t.dataType === DataType.string) throw new Error(`Tensor "${t.name}" is a string tensor, not numbers.`)
  const a = tensorArray(t)
  const out = new Array<number>(a.length)
  for (let i = 0; i < a.length; i++) out[i] = Number(a[i])
  return out
}

/** Describe a tensor for messages: `name (float [2, 3])`. */
export function describeTensor(t: Tensor): string {
  return `${t.name} (${dataTypeName(t.dataType)} [${t.dims.join(', ')}])`
}
