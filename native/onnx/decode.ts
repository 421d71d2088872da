import { ProtoReader, type ProtoField } from './wire'
import { DataType, byteSize } from './dtype'
import type { Attribute, Dim, ExternalLocation, FunctionDef, Graph, Model, Node, OperatorSetId, StringEntry, Tensor, TypeProto, ValueInfo } from './model'

/**
 * ModelProto decoder. Byte payloads are views into `bytes` (no copies); float_data, int32_data,
 * int64_data, double_data and uint64_data are converted to raw little-endian bytes so every tensor
 * reads the same way. External tensors keep their location until `resolveExternalData` fills them.
 */
export function decodeModel(bytes: Uint8Array): Model {
  try {
    return readModel(new ProtoReader(bytes))
  } catch (error) {
    throw new Error(`Not a valid ONNX model: ${(error as Error).message}`)
  }
}

function keep(r: ProtoReader, f: ProtoField, into: { unknown?: Uint8Array[] }): void {
  ;(into.unknown ??= []).push(r.skip(f))
}

function readModel(r: ProtoReader): Model {
  const m: Model = { irVersion: 0, opsetImport: [], graph: emptyGraph() }
  for (let f = r.next(); f; f = r.next()) {
    switch (f.field) {
      case 1: m.irVersion = r.varint(); break
      case 2: m.producerName = r.string(); break
      case 3: m.producerVersion = r.string(); break
      case 4: m.domain = r.string(); break
      case 5: m.modelVersion = r.varint(); break
      case 6: m.docString = r.string(); break
      case 7: m.graph = readGraph(r.message()); break
      case 8: m.opsetImport.push(readOpset(r.message())); break
      case 14: (m.metadataProps ??= []).push(readEntry(r.message())); break
      case 25: (m.functions ??= []).push(readFunction(r.message())); break
      default: keep(r, f, m)
    }
  }
  return m
}

function emptyGraph(): Graph {
  return { name: '', nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [] }
}

function readOpset(r: ProtoReader): OperatorSetId {
  const o: OperatorSetId = { domain: '', version: 0 }
  for (let f = r.next(); f; f = r.next()) {
    if (f.field === 1) o.domain = r.string()
    else if (f.field === 2) o.version = r.varint()
    else r.skip(f)
  }
  return o
}

function readEntry(r: ProtoReader): StringEntry {
  const e: StringEntry = { key: '', value: '' }
  for (let f = r.next(); f; f = r.next()) {
    if (f.field === 1) e.key = r.string()
    else if (f.field === 2) e.value = r.string()
    else r.skip(f)
  }
  return e
}

function readGraph(r: ProtoReader): Graph {
  const g = emptyGraph()
  for (let f = r.next(); f; f = r.next()) {
    switch (f.field) {
      case 1: g.nodes.push(readNode(r.message())); break
      case 2: g.name = r.string(); break
      case 5: g.initializers.push(readTensor(r.message())); break
      case 10: g.docString = r.string(); break
      case 11: g.inputs.push(readValueInfo(r.message())); break
      case 12: g.outputs.push(readValueInfo(r.message())); break
      case 13: g.valueInfo.push(readValueInfo(r.message())); break
      default: keep(r, f, g)
    }
  }
  return g
}

function readNode(r: ProtoReader): Node {
  const n: Node = { opType: '', inputs: [], outputs: [], attributes: [] }
  for (let f = r.next(); f; f = r.next()) {
    switch (f.field) {
      case 1: n.inputs.push(r.string()); break
      case 2: n.outputs.push(r.string()); break
      case 3: n.name = r.string(); break
      case 4: n.opType = r.string(); break
      case 5: n.attributes.push(readAttribute(r.message())); break
      case 6: n.docString = r.string(); break
      case 7: n.domain = r.string(); break
      default: keep(r, f, n)
    }
  }
  return n
}

function readAttribute(r: ProtoReader): Attribute {
  const a: Attribute = { name: '', type: 0 }
  for (let f = r.next(); f; f = r.next()) {
    switch (f.field) {
      case 1: a.name = r.string(); break
      case 2: a.f = r.float(); break
      case 3: a.i = r.varint(); break
      case 4: a.s = r.bytes(); break
      case 5: a.t = readTensor(r.message()); break
      case 6: a.g = readGraph(r.message()); break
      case 7: r.floats(f.wire, (a.floats ??= [])); break
      case 8: r.varints(f.wire, (a.ints ??= [])); break
      case 9: (a.strings ??= []).push(r.bytes()); break
      case 10: (a.tensors ??= []).push(readTensor(r.message())); break
      case 11: (a.graphs ??= []).push(readGraph(r.message())); break
      case 13: a.docString = r.string(); break
      case 20: a.type = r.varint(); break
      case 21: a.refAttrName = r.string(); break
      default: keep(r, f, a)
    }
  }
  return a
}

function readTensor(r: ProtoReader): Tensor {
  const t: Tensor = { name: '', dataType: 0, dims: [] }
  const numbers: number[] = []
  const bigs: bigint[] = []
  let external: StringEntry[] | undefined
  let location = 0
  for (let f = r.next(); f; f = r.next()) {
    switch (f.field) {
      case 1: r.varints(f.wire, t.dims); break
      case 2: t.dataType = r.varint(); break
      case 4: r.floats(f.wire, numbers); break
      case 5: r.varints(f.wire, numbers); break
      case 6: (t.strings ??= []).push(r.bytes()); break
      case 7:
      case 11:
        if (f.wire === 2) {
          const sub = r.message()
          while (sub.pos < sub.end) bigs.push(sub.varintBig())
        } else bigs.push(r.varintBig())
        break
      case 8: t.name = r.string(); break
      case 9: t.data = r.bytes(); break
      case 10: r.doubles(f.wire, numbers); break
      case 12: t.docString = r.string(); break
      case 13: (external ??= []).push(readEntry(r.message())); break
      case 14: location = r.varint(); break
      default: keep(r, f, t)
    }
  }
  if (location === 1) t.external = externalLocation(t.name, external ?? [])
  else if (t.data === undefined && t.dataType !== DataType.string) t.data = typedFieldBytes(t, numbers, bigs)
  return t
}

function externalLocation(name: string, entries: StringEntry[]): ExternalLocation {
  const get = (k: string) => entries.find((e) => e.key === k)?.value
  const location = get('location')
  if (!location) throw new Error(`External tensor "${name}" has no location.`)
  return {
    location,
    offset: Number(get('offset') ?? 0),
    length: Number(get('length') ?? -1),
    extra: entries.filter((e) => !['location', 'offset', 'length'].includes(e.key)),
  }
}

/** Elements stored in the typed repeated fields, as raw bytes of the tensor's own type. */
function typedFieldBytes(t: Tensor, numbers: number[], bigs: bigint[]): Uint8Array {
  const count = t.dims.reduce((a, b) => a * b, 1)
  const size = byteSize(t.dataType)
  const out = new Uint8Array(count * size)
  const view = new DataView(out.buffer)
  const n = Math.min(count, numbers.length + bigs.length)
  for (let i = 0; i < n; i++) {
    const o = i * size
    switch (t.dataType) {
      case DataType.float: view.setFloat32(o, numbers[i], true); break
      case DataType.double: view.setFloat64(o, numbers[i], true); break
      case DataType.int64: view.setBigInt64(o, bigs[i], true); break
      case DataType.uint64: view.setBigUint64(o, BigInt.asUintN(64, bigs[i]), true); break
      case DataType.int32: view.setInt32(o, numbers[i], true); break
      case DataType.uint32: view.setUint32(o, numbers[i], true); break
      case DataType.int16: view.setInt16(o, numbers[i], true); break
      case DataType.uint16:
      case DataType.float16:
      case DataType.bfloat16: view.setUint16(o, numbers[i], true); break
      case DataType.int8: view.setInt8(o, numbers[i]); break
      case DataType.uint8:
      case DataType.bool: view.setUint8(o, numbers[i]); break
      default: throw new Error(`Tensor "${t.name}" has unsupported data type ${t.dataType}.`)
    }
  }
  return out
}

function readValueInfo(r: ProtoReader): ValueInfo {
  const v: ValueInfo = { name: '' }
  for (let f = r.next(); f; f = r.next()) {
    if (f.field === 1) v.name = r.string()
    else if (f.field === 2) v.type = readType(r.message())
    else if (f.field === 3) v.docString = r.string()
    else keep(r, f, v)
  }
  return v
}

function readType(r: ProtoReader): TypeProto {
  const t: TypeProto = {}
  for (let f = r.next(); f; f = r.next()) {
    if (f.field === 1) {
      const tr = r.message()
      const tensor: TypeProto['tensor'] = { elemType: 0 }
      for (let g = tr.next(); g; g = tr.next()) {
        if (g.field === 1) tensor.elemType = tr.varint()
        else if (g.field === 2) tensor.shape = readShape(tr.message())
        else tr.skip(g)
      }
      t.tensor = tensor
    } else if (f.field === 6) t.denotation = r.string()
    else keep(r, f, t)
  }
  return t
}

function readShape(r: ProtoReader): Dim[] {
  const dims: Dim[] = []
  for (let f = r.next(); f; f = r.next()) {
    if (f.field !== 1) {
      r.skip(f)
      continue
    }
    const dr = r.message()
    let d: Dim = null
    for (let g = dr.next(); g; g = dr.next()) {
      if (g.field === 1) d = dr.varint()
      else if (g.field === 2) d = dr.string()
      else dr.skip(g)
    }
    dims.push(d)
  }
  return dims
}

function readFunction(r: ProtoReader): FunctionDef {
  const fn: FunctionDef = { name: '', domain: '', inputs: [], outputs: [], attributeNames: [], attributes: [], nodes: [], opsetImport: [] }
  for (let f = r.next(); f; f = r.next()) {
    switch (f.field) {
      case 1: fn.name = r.string(); break
      case 4: fn.inputs.push(r.string()); break
      case 5: fn.outputs.push(r.string()); break
      case 6: fn.attributeNames.push(r.string()); break
      case 7: fn.nodes.push(readNode(r.message())); break
      case 8: fn.docString = r.string(); break
      case 9: fn.opsetImport.push(readOpset(r.message())); break
      case 10: fn.domain = r.string(); break
      case 11: fn.attributes.push(readAttribute(r.message())); break
      default: keep(r, f, fn)
    }
  }
  return fn
}
