/**
 * ONNX tensor element types (TensorProto.DataType), their byte sizes, typed-array classes and the
 * onnxruntime-node type names.
 */
export const DataType = {
  undefined: 0,
  float: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  double: 11,
  uint32: 12,
  uint64: 13,
  complex64: 14,
  complex128: 15,
  bfloat16: 16,
} as const
export type DataType = (typeof DataType)[keyof typeof DataType]

const names: Record<number, string> = Object.fromEntries(Object.entries(DataType).map(([k, v]) => [v, k]))

/** The ONNX name of a data type ("float", "int64"). */
export function dataTypeName(t: number): string {
  return names[t] ?? `type ${t}`
}

const byteSizes: Record<number, number> = {
  1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 14: 8, 15: 16, 16: 2,
}

/** Bytes per element (strings have none). */
export function byteSize(t: number): number {
  const s = byteSizes[t]
  if (s === undefined) throw new Error(`Data type ${dataTypeName(t)} has no fixed element size.`)
  return s
}

/** Floating-point types: the ones that carry gradients. */
export function isFloat(t: number): boolean {
  return t === DataType.float || t === DataType.double || t === DataType.float16 || t === DataType.bfloat16
}

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array

/** The typed array that holds a data type's elements (float16/bfloat16 as raw Uint16). */
export function typedArrayClass(t: number) {
  switch (t) {
    case DataType.float:
      return Float32Array
    case DataType.double:
      return Float64Array
    case DataType.int8:
      return Int8Array
    case DataType.uint8:
    case DataType.bool:
      return Uint8Array
    case DataType.int16:
      return Int16Array
    case DataType.uint16:
    case DataType.float16:
    case DataType.bfloat16:
      return Uint16Array
    case DataType.int32:
      return Int32Array
    case DataType.uint32:
      return Uint32Array
    case DataType.int64:
      return BigInt64Array
    case DataType.uint64:
      return BigUint64Array
    default:
      throw new Error(`Data type ${dataTypeName(t)} has no typed array.`)
  }
}

/** onnxruntime-node's name for a data type. */
export function ortTypeName(t: number): 'float32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool' | 'float16' | 'string' {
  switch (t) {
    case DataType.float:
      return 'float32'
    case DataType.double:
      return 'float64'
    case DataType.float16:
      return 'float16'
    case DataType.int8:
    case DataType.uint8:
    case DataType.int16:
    case DataType.uint16:
    case DataType.int32:
    case DataType.uint32:
    case DataType.int64:
    case DataType.uint64:
    case DataType.bool:
    case DataType.string:
      return dataTypeName(t) as 'int8'
    default:
      throw new Error(`onnxruntime-node has no tensor type for ${dataTypeName(t)}.`)
  }
}

/** The data type of an onnxruntime-node tensor type name. */
export function fromOrtTypeName(name: string): DataType {
  if (name === 'float32') return DataType.float
  if (name === 'float64') return DataType.double
  const t = (DataType as Record<string, DataType>)[name]
  if (t === undefined) throw new Error(`Unknown tensor type "${name}".`)
  return t
}
