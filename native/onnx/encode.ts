import { ProtoWriter } from './wire'
import type { Attribute, FunctionDef, Graph, Model, Node, OperatorSetId, StringEntry, Tensor, TypeProto, ValueInfo } from './model'

/**
 * ModelProto encoder (onnx.proto3 field numbers). Tensors keep their bytes in `raw_data`; a tensor
 * whose bytes were moved to an external file is written with data_location = EXTERNAL and its
 * location/offset/length entries (see external.ts).
 */
export function encodeModel(model: Model): Uint8Array {
  return modelWriter(model).finish()
}

function modelWriter(m: Model): ProtoWriter {
  const w = new ProtoWriter()
  w.varint(1, m.irVersion)
  if (m.producerName) w.string(2, m.producerName)
  if (m.producerVersion) w.string(3, m.producerVersion)
  if (m.domain) w.string(4, m.domain)
  if (m.modelVersion) w.varint(5, m.modelVersion)
  if (m.docString) w.string(6, m.docString)
  w.message(7, graphWriter(m.graph))
  for (const o of m.opsetImport) w.message(8, opsetWriter(o))
  for (const e of m.metadataProps ?? []) w.message(14, entryWriter(e))
  for (const f of m.functions ?? []) w.message(25, functionWriter(f))
  unknown(w, m.unknown)
  return w
}

function unknown(w: ProtoWriter, parts: Uint8Array[] | undefined): void {
  for (const p of parts ?? []) w.raw(p)
}

function opsetWriter(o: OperatorSetId): ProtoWriter {
  const w = new ProtoWriter()
  if (o.domain) w.string(1, o.domain)
  w.varint(2, o.version)
  return w
}

function entryWriter(e: StringEntry): ProtoWriter {
  const w = new ProtoWriter()
  w.string(1, e.key)
  w.string(2, e.value)
  return w
}

function graphWriter(g: Graph): ProtoWriter {
  const w = new ProtoWriter()
  for (const n of g.nodes) w.message(1, nodeWriter(n))
  if (g.name) w.string(2, g.name)
  for (const t of g.initializers) w.message(5, tensorWriter(t))
  if (g.docString) w.string(10, g.docString)
  for (const v of g.inputs) w.message(11, valueInfoWriter(v))
  for (const v of g.outputs) w.message(12, valueInfoWriter(v))
  for (const v of g.valueInfo) w.message(13, valueInfoWriter(v))
  unknown(w, g.unknown)
  return w
}

function nodeWriter(n: Node): ProtoWriter {
  const w = new ProtoWriter()
  for (const i of n.inputs) w.string(1, i)
  for (const o of n.outputs) w.string(2, o)
  if (n.name) w.string(3, n.name)
  w.string(4, n.opType)
  for (const a of n.attributes) w.message(5, attributeWriter(a))
  if (n.docString) w.string(6, n.docString)
  if (n.domain) w.string(7, n.domain)
  unknown(w, n.unknown)
  return w
}

function attributeWriter(a: Attribute): ProtoWriter {
  const w = new ProtoWriter()
  w.string(1, a.name)
  if (a.f !== undefined) w.float(2, a.f)
  if (a.i !== undefined) w.varint(3, a.i)
  if (a.s !== undefined) w.bytes(4, a.s)
  if (a.t !== undefined) w.message(5, tensorWriter(a.t))
  if (a.g !== undefined) w.message(6, graphWriter(a.g))
  if (a.floats?.length) w.packedFloats(7, a.floats)
  if (a.ints?.length) w.packedVarints(8, a.ints)
  for (const s of a.strings ?? []) w.bytes(9, s)
  for (const t of a.tensors ?? []) w.message(10, tensorWriter(t))
  for (const g of a.graphs ?? []) w.message(11, graphWriter(g))
  if (a.docString) w.string(13, a.docString)
  w.varint(20, a.type)
  if (a.refAttrName) w.string(21, a.refAttrName)
  unknown(w, a.unknown)
  return w
}

function tensorWriter(t: Tensor): ProtoWriter {
  const w = new ProtoWriter()
  w.packedVarints(1, t.dims)
  w.varint(2, t.dataType)
  for (const s of t.strings ?? []) w.bytes(6, s)
  if (t.name) w.string(8, t.name)
  if (t.data !== undefined && !t.external) w.bytes(9, t.data)
  if (t.docString) w.string(12, t.docString)
  if (t.external) {
    const entries: StringEntry[] = [
      { key: 'location', value: t.external.location },
      { key: 'offset', value: String(t.external.offset) },
      { key: 'length', value: String(t.external.length) },
      ...(t.external.extra ?? []),
    ]
    for (const e of entries) w.message(13, entryWriter(e))
    w.varint(14, 1)
  }
  unknown(w, t.unknown)
  return w
}

function valueInfoWriter(v: ValueInfo): ProtoWriter {
  const w = new ProtoWriter()
  w.string(1, v.name)
  if (v.type) w.message(2, typeWriter(v.type))
  if (v.docString) w.string(3, v.docString)
  unknown(w, v.unknown)
  return w
}

function typeWriter(t: TypeProto): ProtoWriter {
  const w = new ProtoWriter()
  if (t.tensor) {
    const tw = new ProtoWriter()
    tw.varint(1, t.tensor.elemType)
    if (t.tensor.shape) {
      const sw = new ProtoWriter()
      for (const d of t.tensor.shape) {
        const dw = new ProtoWriter()
        if (typeof d === 'number') dw.varint(1, d)
        else if (typeof d === 'string') dw.string(2, d)
        sw.message(1, dw)
      }
      tw.message(2, sw)
    }
    w.message(1, tw)
  }
  if (t.denotation) w.string(6, t.denotation)
  unknown(w, t.unknown)
  return w
}

function functionWriter(f: FunctionDef): ProtoWriter {
  const w = new ProtoWriter()
  w.string(1, f.name)
  for (const i of f.inputs) w.string(4, i)
  for (const o of f.outputs) w.string(5, o)
  for (const a of f.attributeNames) w.string(6, a)
  for (const n of f.nodes) w.message(7, nodeWriter(n))
  if (f.docString) w.string(8, f.docString)
  for (const o of f.opsetImport) w.message(9, opsetWriter(o))
  if (f.domain) w.string(10, f.domain)
  for (const a of f.attributes) w.message(11, attributeWriter(a))
  unknown(w, f.unknown)
  return w
}
