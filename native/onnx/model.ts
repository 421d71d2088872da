/**
 * The in-memory form of an ONNX model: plain objects mirroring ModelProto, GraphProto, NodeProto,
 * TensorProto, ValueInfoProto and AttributeProto (field names in camelCase). Tensor payloads are
 * always little-endian raw bytes (`data`), whatever field the file used. Fields this code does not
 * model are kept verbatim in `unknown` so a decode → encode round trip loses nothing.
 */

/** A dimension: a size, a symbolic name (`dim_param`), or unknown (null). */
export type Dim = number | string | null

export interface OperatorSetId {
  domain: string
  version: number
}

export interface StringEntry {
  key: string
  value: string
}

/** Where an external tensor's bytes live: a file beside the model, at `offset`, `length` bytes. */
export interface ExternalLocation {
  location: string
  offset: number
  length: number
  /** Other key/value entries (e.g. checksum), kept as they were. */
  extra?: StringEntry[]
}

export interface Tensor {
  name: string
  dataType: number
  dims: number[]
  /** Element bytes, little-endian (absent for string tensors and unresolved external tensors). */
  data?: Uint8Array
  /** Elements of a string tensor. */
  strings?: Uint8Array[]
  /** Set while the bytes live in an external file that was not loaded. */
  external?: ExternalLocation
  docString?: string
  unknown?: Uint8Array[]
}

export interface TensorType {
  elemType: number
  /** Absent: rank unknown. */
  shape?: Dim[]
}

export interface TypeProto {
  tensor?: TensorType
  denotation?: string
  /** A non-tensor type (sequence, map, optional, sparse), kept as encoded. */
  unknown?: Uint8Array[]
}

export interface ValueInfo {
  name: string
  type?: TypeProto
  docString?: string
  unknown?: Uint8Array[]
}

/** AttributeProto.AttributeType. */
export const AttributeType = {
  undefined: 0,
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  graph: 5,
  floats: 6,
  ints: 7,
  strings: 8,
  tensors: 9,
  graphs: 10,
  sparseTensor: 11,
  sparseTensors: 12,
  typeProto: 13,
  typeProtos: 14,
} as const

export interface Attribute {
  name: string
  type: number
  f?: number
  i?: number
  s?: Uint8Array
  t?: Tensor
  g?: Graph
  floats?: number[]
  ints?: number[]
  strings?: Uint8Array[]
  tensors?: Tensor[]
  graphs?: Graph[]
  refAttrName?: string
  docString?: string
  unknown?: Uint8Array[]
}

export interface Node {
  opType: string
  /** '' or absent for ai.onnx. */
  domain?: string
  name?: string
  /** Input value names; '' marks an omitted optional input. */
  inputs: string[]
  /** Output value names; '' marks an omitted optional output. */
  outputs: string[]
  attributes: Attribute[]
  docString?: string
  unknown?: Uint8Array[]
}

export interface Graph {
  name: string
  nodes: Node[]
  initializers: Tensor[]
  inputs: ValueInfo[]
  outputs: ValueInfo[]
  valueInfo: ValueInfo[]
  docString?: string
  unknown?: Uint8Array[]
}

/** A model-local function (FunctionProto). */
export interface FunctionDef {
  name: string
  domain: string
  inputs: string[]
  outputs: string[]
  attributeNames: string[]
  attributes: Attribute[]
  nodes: Node[]
  opsetImport: OperatorSetId[]
  docString?: string
  unknown?: Uint8Array[]
}

export interface Model {
  irVersion: number
  opsetImport: OperatorSetId[]
  producerName?: string
  producerVersion?: string
  domain?: string
  modelVersion?: number
  docString?: string
  graph: Graph
  metadataProps?: StringEntry[]
  functions?: FunctionDef[]
  unknown?: Uint8Array[]
}

/** The ai.onnx opset a model imports (0 when it imports none). */
export function defaultOpset(model: Model): number {
  return model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0
}

/** The IR version that goes with an ai.onnx opset (the lowest one that allows it). */
export function irVersionFor(opset: number): number {
  if (opset <= 8) return 3
  if (opset <= 9) return 4
  if (opset <= 10) return 5
  if (opset <= 11) return 6
  if (opset <= 14) return 7
  if (opset <= 18) return 8
  if (opset <= 20) return 9
  if (opset <= 22) return 10
  return 11
}

/** An attribute of a node, or undefined. */
export function findAttribute(node: Node, name: string): Attribute | undefined {
  return node.attributes.find((a) => a.name === name)
}

/** A tensor-typed value info. */
export function tensorValueInfo(name: string, elemType: number, shape?: Dim[]): ValueInfo {
  return { name, type: { tensor: { elemType, ...(shape ? { shape } : {}) } } }
}
