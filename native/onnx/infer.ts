import { NashlabError } from '../api/errors'
import type { Attribute, Dim, Graph, Node, Tensor, ValueInfo } from './model'
import { AttributeType } from './model'
import { opSpec, type OpSpec } from './ops'
import { formatInfo, type AttributeValue, type InferContext, type TensorInfo } from './infer/context'
import { tensorInfo } from './infer/source'

export type { TensorInfo } from './infer/context'

/** A readable reference to a node for messages: `MatMul node "block0.attn.qk"`. */
export function describeNode(node: Node): string {
  return `${node.domain ? `${node.domain}.` : ''}${node.opType} node "${node.name || node.outputs[0] || '(unnamed)'}"`
}

/** A node's attribute values, with the catalogue's defaults filled in. */
export function attributeValue(node: Node, spec: OpSpec | undefined, name: string): AttributeValue {
  const a = node.attributes.find((x) => x.name === name)
  if (a) return readAttribute(a)
  return spec?.attributes[name]?.default
}

function readAttribute(a: Attribute): AttributeValue {
  switch (a.type) {
    case AttributeType.float: return a.f ?? 0
    case AttributeType.int: return a.i ?? 0
    case AttributeType.string: return new TextDecoder().decode(a.s ?? new Uint8Array())
    case AttributeType.tensor: return a.t
    case AttributeType.floats: return a.floats ?? []
    case AttributeType.ints: return a.ints ?? []
    case AttributeType.strings: return (a.strings ?? []).map((s) => new TextDecoder().decode(s))
    case AttributeType.tensors: return a.tensors ?? []
    default:
      // Older writers sometimes leave type unset: fall back on which field is filled.
      if (a.ints) return a.ints
      if (a.floats) return a.floats
      if (a.i !== undefined) return a.i
      if (a.f !== undefined) return a.f
      if (a.s !== undefined) return new TextDecoder().decode(a.s)
      return a.t
  }
}

/** Infer the outputs of one node from what is known of its inputs. */
export function inferNode(node: Node, infos: ReadonlyMap<string, TensorInfo>, opset: number): TensorInfo[] {
  const spec = opSpec(node.opType, node.domain)
  if (!spec) {
    throw new NashlabError('invalid_input', `${describeNode(node)} is an op Nashlab's shape inference does not know.`, { op: node.opType, node: node.name })
  }
  const fail = (message: string): never => {
    throw new NashlabError('invalid_input', `${describeNode(node)} ${message}`, { op: node.opType, node: node.name })
  }
  const input = (i: number): TensorInfo | undefined => {
    const name = node.inputs[i]
    if (!name) return undefined
    const info = infos.get(name)
    if (!info) fail(`reads "${name}", whose type is not known (an unknown op or a missing input).`)
    return info
  }
  const attr = (name: string) => attributeValue(node, spec, name)
  const ctx: InferContext = {
    node,
    opset,
    input,
    required: (i) => input(i) ?? fail(`is missing its required input ${i} (${spec.inputs[i] ?? i}).`),
    inputCount: node.inputs.length,
    outputCount: node.outputs.length,
    attr,
    int: (name) => {
      const v = attr(name)
      if (typeof v !== 'number') fail(`needs integer attribute "${name}".`)
      return v as number
    },
    ints: (name) => {
      const v = attr(name)
      return Array.isArray(v) ? (v as number[]) : undefined
    },
    float: (name) => {
      const v = attr(name)
      if (typeof v !== 'number') fail(`needs float attribute "${name}".`)
      return v as number
    },
    string: (name) => {
      const v = attr(name)
      if (typeof v !== 'string') fail(`needs string attribute "${name}".`)
      return v as string
    },
    tensor: (name) => {
      const v = attr(name)
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Tensor) : undefined
    },
    fail,
  }
  return spec.infer(ctx)
}

/** Type and shape of a declared value (graph input, output or value_info). */
export function declaredInfo(v: ValueInfo, dims: Record<string, number> = {}): TensorInfo | undefined {
  const t = v.type?.tensor
  if (!t || !t.elemType) return undefined
  const shape = t.shape?.map((d): Dim => (typeof d === 'string' && d in dims ? dims[d] : d))
  return { dtype: t.elemType, ...(shape ? { shape } : {}) }
}

/** Nodes in an order where every input is produced before it is read (stable for sorted graphs). */
export function topologicalOrder(graph: Graph): Node[] {
  const producer = new Map<string, number>()
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, i)))
  const state = new Uint8Array(graph.nodes.length)
  const order: Node[] = []
  const visit = (start: number) => {
    const stack: [number, number][] = [[start, 0]]
    while (stack.length) {
      const top = stack[stack.length - 1]
      const [i, k] = top
      if (k === 0) {
        if (state[i] === 2) {
          stack.pop()
          continue
        }
        state[i] = 1
      }
      const node = graph.nodes[i]
      if (k < node.inputs.length) {
        top[1]++
        const p = producer.get(node.inputs[k])
        if (p !== undefined && state[p] !== 2) {
          if (state[p] === 1) throw new NashlabError('invalid_input', `The graph has a cycle through ${describeNode(graph.nodes[p])}.`)
          stack.push([p, 0])
        }
        continue
      }
      state[i] = 2
      order.push(node)
      stack.pop()
    }
  }
  for (let i = 0; i < graph.nodes.length; i++) if (state[i] === 0) visit(i)
  return order
}

/** Merge a declared shape into an inferred one where inference left dims unknown. */
function mergeDeclared(inferred: TensorInfo, declared: TensorInfo | undefined): TensorInfo {
  if (!declared?.shape) return inferred
  if (!inferred.shape) return { ...inferred, shape: declared.shape }
  if (inferred.shape.length !== declared.shape.length || !inferred.shape.includes(null)) return inferred
  return { ...inferred, shape: inferred.shape.map((d, i) => (d === null ? declared.shape![i] : d)) }
}

export interface InferOptions {
  /** Sizes for symbolic dims of the graph inputs (e.g. { batch: 2 }). */
  dims?: Record<string, number>
}

/**
 * Static inference over a whole graph: every value's element type and shape (and small values).
 * Ops inference does not know take their outputs' types from the graph's value_info, if given.
 */
export function inferGraph(graph: Graph, opset: number, options: InferOptions = {}): Map<string, TensorInfo> {
  const infos = new Map<string, TensorInfo>()
  for (const t of graph.initializers) infos.set(t.name, tensorInfo(t))
  for (const v of graph.inputs) {
    if (infos.has(v.name)) continue
    const info = declaredInfo(v, options.dims)
    if (info) infos.set(v.name, info)
  }
  const declared = new Map<string, TensorInfo>()
  for (const v of [...graph.valueInfo, ...graph.outputs]) {
    const info = declaredInfo(v, options.dims)
    if (info) declared.set(v.name, info)
  }
  for (const node of topologicalOrder(graph)) {
    // Ops inference does not know, and nodes downstream of them, take declared types (or stay
    // unknown: an error is raised only if something needs them).
    if (!opSpec(node.opType, node.domain) || node.inputs.some((i) => i && !infos.has(i))) {
      for (const o of node.outputs) if (o && declared.has(o)) infos.set(o, declared.get(o)!)
      continue
    }
    const outs = inferNode(node, infos, opset)
    node.outputs.forEach((o, i) => {
      if (o && outs[i]) infos.set(o, mergeDeclared(outs[i], declared.get(o)))
    })
  }
  return infos
}

export { formatInfo }
