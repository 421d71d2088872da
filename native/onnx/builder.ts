import { NashlabError } from '../api/errors'
import { DataType, dataTypeName, isFloat, type TypedArray } from './dtype'
import { attributeValue, describeNode, inferGraph, inferNode, type InferOptions, type TensorInfo } from './infer'
import { AttributeType, defaultOpset, irVersionFor, tensorValueInfo, type Attribute, type Dim, type Graph, type Model, type Node, type Tensor } from './model'
import { opSpec } from './ops'
import { makeTensor } from './tensor'
import { formatShape, knownNumel } from './infer/context'

/** The ai.onnx opset Nashlab writes (Gelu needs 20; ONNX Runtime 1.30 accepts 13–26). */
export const DEFAULT_OPSET = 20

/** A tensor in a graph under construction: its name and what inference knows of it. */
export interface Value {
  readonly name: string
  readonly dtype: number
  readonly shape: Dim[]
  /** Element values, when inference could follow them (small constant and shape tensors). */
  readonly value?: Dim[]
}

export type AttributeInput = number | number[] | string | Tensor | undefined

export interface NodeOptions {
  /** Local node name (the scope is prefixed); default: the op type in lower case. */
  name?: string
  /** Exact output names; default: the node name (first output), `<node>.<output>` for others. */
  outputs?: string[]
  /** Number of outputs for variadic-output ops such as Split. */
  outputCount?: number
  domain?: string
}

/** Values whose names a node reads: a Value, a graph value name, or null for an omitted input. */
export type Input = Value | string | null

/**
 * A typed ONNX graph builder with eager static shape inference: every op is checked against the
 * catalogue (ops.ts) and inferred as it is added, so a shape error names the node that made it.
 * Names are namespaced by `scope()`: `block3.attn.qk`, `adamw.m`.
 */
export class GraphBuilder {
  readonly graph: Graph
  readonly opset: number
  readonly infos: Map<string, TensorInfo>
  private readonly values = new Set<string>()
  private readonly nodeNames = new Set<string>()
  private readonly prefix: string[] = []
  private readonly constants = new Map<string, string>()
  private readonly model?: Model

  private constructor(graph: Graph, opset: number, infos: Map<string, TensorInfo>, model?: Model) {
    this.graph = graph
    this.opset = opset
    this.infos = infos
    this.model = model
    for (const t of graph.initializers) this.values.add(t.name)
    for (const v of graph.inputs) this.values.add(v.name)
    for (const n of graph.nodes) {
      if (n.name) this.nodeNames.add(n.name)
      for (const o of n.outputs) if (o) this.values.add(o)
    }
  }

  /** A builder for a new, empty graph. */
  static create(name: string, opset = DEFAULT_OPSET): GraphBuilder {
    return new GraphBuilder({ name, nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [] }, opset, new Map())
  }

  /** A builder that appends to a copy of an existing model's graph (the model is not changed). */
  static edit(model: Model, options: InferOptions = {}): GraphBuilder {
    const g = model.graph
    const graph: Graph = { ...g, nodes: g.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs] })), initializers: [...g.initializers], inputs: [...g.inputs], outputs: [...g.outputs], valueInfo: [...g.valueInfo] }
    const opset = defaultOpset(model) || DEFAULT_OPSET
    return new GraphBuilder(graph, opset, inferGraph(graph, opset, options), model)
  }

  /**
   * The finished model. `prune` drops nodes whose outputs reach no graph output (see usedNodes);
   * leave it off while the graph is still to be rewired.
   */
  toModel(options: { prune?: boolean } = {}): Model {
    this.foldOutputIdentities()
    const base = this.model
    const opsetImport = base ? base.opsetImport : [{ domain: '', version: this.opset }]
    return {
      ...(base ?? {}),
      irVersion: base?.irVersion ?? irVersionFor(this.opset),
      opsetImport,
      producerName: base?.producerName ?? 'nashlab',
      graph: options.prune ? { ...this.graph, nodes: this.usedNodes() } : this.graph,
    }
  }

  /**
   * Drop nodes none of whose outputs reach a graph output (ONNX ops have no side effects). Gradient
   * rules leave such nodes behind when a later rule composes their result away (a transpose of a
   * transpose), and ONNX Runtime would still run them. Graphs without outputs yet, and graphs with
   * subgraphs (If, Loop, Scan: their bodies may read outer values by name), keep every node.
   */
  private usedNodes(): Node[] {
    const nodes = this.graph.nodes
    if (this.graph.outputs.length === 0 || nodes.some((n) => n.attributes.some((a) => a.type === AttributeType.graph || a.type === AttributeType.graphs))) return nodes
    const needed = new Set(this.graph.outputs.map((o) => o.name))
    const keep = new Array<boolean>(nodes.length).fill(false)
    for (let i = nodes.length - 1; i >= 0; i--) {
      if (!nodes[i].outputs.some((o) => o && needed.has(o))) continue
      keep[i] = true
      for (const input of nodes[i].inputs) if (input) needed.add(input)
    }
    return keep.every(Boolean) ? nodes : nodes.filter((_, i) => keep[i])
  }

  /** Run `fn` with `name` appended to the naming scope. */
  scope<T>(name: string, fn: () => T): T {
    this.prefix.push(name)
    try {
      return fn()
    } finally {
      this.prefix.pop()
    }
  }

  /** The current scope joined with `local`. */
  scoped(local: string): string {
    return [...this.prefix, local].join('.')
  }

  private uniqueValue(name: string): string {
    let n = name
    for (let k = 2; this.values.has(n); k++) n = `${name}_${k}`
    this.values.add(n)
    return n
  }

  private uniqueNode(name: string): string {
    let n = name
    for (let k = 2; this.nodeNames.has(n); k++) n = `${name}_${k}`
    this.nodeNames.add(n)
    return n
  }

  /** Whether a value name is taken. */
  has(name: string): boolean {
    return this.values.has(name)
  }

  /** A value of the graph by name; its rank must be known. */
  value(name: string): Value {
    const info = this.infos.get(name)
    if (!info) throw new NashlabError('invalid_input', `Tensor "${name}" is not in the graph, or its type is not known.`, { tensor: name })
    if (!info.shape) throw new NashlabError('invalid_input', `Tensor "${name}" has an unknown rank; give the graph inputs static shapes.`, { tensor: name })
    return { name, dtype: info.dtype, shape: info.shape, ...(info.value ? { value: info.value } : {}) }
  }

  /** Declare a graph input. */
  input(name: string, dtype: number, shape: Dim[]): Value {
    if (this.values.has(name)) throw new NashlabError('invalid_input', `Graph input "${name}" clashes with an existing tensor.`, { tensor: name })
    this.values.add(name)
    this.graph.inputs.push(tensorValueInfo(name, dtype, shape))
    this.infos.set(name, { dtype, shape })
    return this.value(name)
  }

  /** Declare a graph output; a value with another name is passed through an Identity node (removed again by `toModel`). */
  output(v: Value, name = v.name): Value {
    let out = v
    if (name !== v.name) [out] = this.node('Identity', [v], {}, { name, outputs: [name] })
    this.graph.outputs.push(tensorValueInfo(out.name, out.dtype, out.shape))
    return out
  }

  /**
   * Drop the Identity nodes that only rename a computed value into a graph output: the value takes
   * the output's name instead (an Identity costs a full copy in ONNX Runtime).
   */
  private foldOutputIdentities(): void {
    const outputs = new Set(this.graph.outputs.map((o) => o.name))
    const inputs = new Set([...this.graph.inputs.map((i) => i.name), ...this.graph.initializers.map((t) => t.name)])
    const producers = new Map<string, Node>()
    for (const n of this.graph.nodes) for (const o of n.outputs) if (o) producers.set(o, n)
    const renames = new Map<string, string>()
    const dropped = new Set<Node>()
    for (const n of this.graph.nodes) {
      if (n.opType !== 'Identity' || n.domain || !outputs.has(n.outputs[0])) continue
      const source = n.inputs[0]
      const producer = producers.get(source)
      if (!producer || producer.opType === 'Constant' || inputs.has(source) || outputs.has(source) || renames.has(source)) continue
      renames.set(source, n.outputs[0])
      dropped.add(n)
    }
    if (renames.size === 0) return
    this.graph.nodes = this.graph.nodes.filter((n) => !dropped.has(n))
    for (const n of this.graph.nodes) {
      n.inputs = n.inputs.map((i) => renames.get(i) ?? i)
      n.outputs = n.outputs.map((o) => renames.get(o) ?? o)
    }
  }

  /** An initializer with an exact (unscoped) name, e.g. a model weight. */
  initializer(name: string, dtype: number, dims: number[], data: TypedArray | readonly number[]): Value {
    if (this.values.has(name)) throw new NashlabError('invalid_input', `Initializer "${name}" clashes with an existing tensor.`, { tensor: name })
    this.values.add(name)
    const t = makeTensor(name, dtype, dims, data)
    this.graph.initializers.push(t)
    this.infos.set(name, { dtype, shape: [...dims], ...(dims.reduce((a, b) => a * b, 1) <= 4096 ? { value: Array.from(data as ArrayLike<number>, Number) } : {}) })
    return this.value(name)
  }

  /**
   * A constant tensor: a Constant node (not an initializer, so "every float initializer" means the
   * model's weights); identical small constants are shared.
   */
  constant(dtype: number, dims: number[], values: readonly number[] | TypedArray, local = 'const'): Value {
    const small = values.length <= 64
    const key = small ? `${dtype}|${dims.join(',')}|${Array.from(values as ArrayLike<number>, String).join(',')}` : ''
    const hit = small ? this.constants.get(key) : undefined
    if (hit) return this.value(hit)
    const name = this.uniqueValue(this.scopedConstantName(local))
    this.values.delete(name)
    const [v] = this.node('Constant', [], { value: makeTensor(name, dtype, dims, values) }, { name: local, outputs: [name] })
    if (small) this.constants.set(key, name)
    return v
  }

  private scopedConstantName(local: string): string {
    return this.prefix.length ? this.scoped(local) : `const.${local}`
  }

  /** A scalar constant of a type (float constants for float tensors, int64 for indices). */
  scalar(value: number, dtype: number = DataType.float): Value {
    return this.constant(dtype, [], [value], `${dataTypeName(dtype)}_${String(value).replace(/[^0-9a-zA-Z]/g, '_')}`)
  }

  /** A 1-D int64 constant (axes, shapes, starts). */
  ints(values: readonly number[]): Value {
    return this.constant(DataType.int64, [values.length], values, `ints_${values.map((v) => String(v).replace('-', 'm')).join('_')}`.slice(0, 60))
  }

  /** Add a node; returns its outputs. Inference runs at once and names the node on failure. */
  node(opType: string, inputs: Input[], attrs: Record<string, AttributeInput> = {}, options: NodeOptions = {}): Value[] {
    const spec = opSpec(opType, options.domain)
    if (!spec) throw new NashlabError('internal', `Op ${opType} is not in Nashlab's op catalogue (native/onnx/ops.ts).`, { op: opType })
    const nodeName = this.uniqueNode(this.scoped(options.name ?? opType.charAt(0).toLowerCase() + opType.slice(1)))
    const count = options.outputs?.length ?? options.outputCount ?? spec.outputs.filter((o) => !o.endsWith('?')).length
    const outputNames = options.outputs
      ? options.outputs.map((o) => {
          if (this.values.has(o)) throw new NashlabError('internal', `Output name "${o}" of ${opType} node "${nodeName}" is already taken.`)
          this.values.add(o)
          return o
        })
      : Array.from({ length: count }, (_, i) => this.uniqueValue(i === 0 ? nodeName : `${nodeName}.${(spec.outputs[i] ?? `output${i}`).replace(/[?.]/g, '')}`))
    const node: Node = {
      opType,
      name: nodeName,
      inputs: inputs.map((x) => (x === null ? '' : typeof x === 'string' ? x : x.name)),
      outputs: outputNames,
      attributes: encodeAttributes(opType, attrs),
      ...(options.domain ? { domain: options.domain } : {}),
    }
    const outs = inferNode(node, this.infos, this.opset)
    this.graph.nodes.push(node)
    return outputNames.map((name, i) => {
      const info = outs[i]
      if (!info) throw new NashlabError('internal', `${describeNode(node)} produced no type for output ${i}.`)
      this.infos.set(name, info)
      return this.value(name)
    })
  }

  /** Add a single-output node. */
  op(opType: string, inputs: Input[], attrs: Record<string, AttributeInput> = {}, name?: string): Value {
    return this.node(opType, inputs, attrs, { name })[0]
  }

  /** Give an existing node an extra output (e.g. LayerNormalization's Mean for its gradient). */
  addNodeOutput(node: Node, index: number, local: string): Value {
    while (node.outputs.length <= index) node.outputs.push('')
    if (!node.outputs[index]) node.outputs[index] = this.uniqueValue(`${node.name || node.outputs[0]}.${local}`)
    const outs = inferNode(node, this.infos, this.opset)
    const name = node.outputs[index]
    this.infos.set(name, outs[index])
    return this.value(name)
  }

  // Typed helpers. Each takes an optional local node name last.

  add(a: Value, b: Value, name?: string) { return this.op('Add', [a, b], {}, name) }
  sub(a: Value, b: Value, name?: string) { return this.op('Sub', [a, b], {}, name) }
  mul(a: Value, b: Value, name?: string) { return this.op('Mul', [a, b], {}, name) }
  div(a: Value, b: Value, name?: string) { return this.op('Div', [a, b], {}, name) }
  pow(a: Value, b: Value, name?: string) { return this.op('Pow', [a, b], {}, name) }
  neg(x: Value, name?: string) { return this.op('Neg', [x], {}, name) }
  sqrt(x: Value, name?: string) { return this.op('Sqrt', [x], {}, name) }
  reciprocal(x: Value, name?: string) { return this.op('Reciprocal', [x], {}, name) }
  exp(x: Value, name?: string) { return this.op('Exp', [x], {}, name) }
  log(x: Value, name?: string) { return this.op('Log', [x], {}, name) }
  tanh(x: Value, name?: string) { return this.op('Tanh', [x], {}, name) }
  erf(x: Value, name?: string) { return this.op('Erf', [x], {}, name) }
  sigmoid(x: Value, name?: string) { return this.op('Sigmoid', [x], {}, name) }
  relu(x: Value, name?: string) { return this.op('Relu', [x], {}, name) }
  abs(x: Value, name?: string) { return this.op('Abs', [x], {}, name) }
  identity(x: Value, name?: string) { return this.op('Identity', [x], {}, name) }
  sum(xs: Value[], name?: string) { return xs.length === 1 ? xs[0] : this.op('Sum', xs, {}, name) }
  max(xs: Value[], name?: string) { return this.op('Max', xs, {}, name) }
  min(xs: Value[], name?: string) { return this.op('Min', xs, {}, name) }
  where(c: Value, x: Value, y: Value, name?: string) { return this.op('Where', [c, x, y], {}, name) }
  cast(x: Value, to: number, name?: string) { return x.dtype === to ? x : this.op('Cast', [x], { to }, name) }
  equal(a: Value, b: Value, name?: string) { return this.op('Equal', [a, b], {}, name) }
  less(a: Value, b: Value, name?: string) { return this.op('Less', [a, b], {}, name) }
  greater(a: Value, b: Value, name?: string) { return this.op('Greater', [a, b], {}, name) }
  not(x: Value, name?: string) { return this.op('Not', [x], {}, name) }
  matMul(a: Value, b: Value, name?: string) { return this.op('MatMul', [a, b], {}, name) }
  softmax(x: Value, axis = -1, name?: string) { return this.op('Softmax', [x], { axis }, name) }
  logSoftmax(x: Value, axis = -1, name?: string) { return this.op('LogSoftmax', [x], { axis }, name) }
  shape(x: Value, name?: string) { return this.op('Shape', [x], {}, name) }
  trilu(x: Value, upper: boolean, k?: Value, name?: string) { return this.op('Trilu', k ? [x, k] : [x], { upper: upper ? 1 : 0 }, name) }

  /** Y = alpha·op(A)·op(B) + beta·C for 2-D A and B. */
  gemm(a: Value, b: Value, c: Value | null, o: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number } = {}, name?: string) {
    const attrs: Record<string, AttributeInput> = {}
    if (o.transA) attrs.transA = 1
    if (o.transB) attrs.transB = 1
    if (o.alpha !== undefined && o.alpha !== 1) attrs.alpha = o.alpha
    if (o.beta !== undefined && o.beta !== 1) attrs.beta = o.beta
    return this.op('Gemm', c ? [a, b, c] : [a, b], attrs, name)
  }

  /**
   * Transpose; a transpose of a transpose is composed into one from the original tensor (and
   * vanishes when the two cancel), so backward passes never copy a tensor back into a layout that
   * already exists.
   */
  transpose(x: Value, perm: number[], name?: string) {
    if (perm.every((p, i) => p === i)) return x
    const producer = this.graph.nodes.find((n) => n.outputs[0] === x.name && n.opType === 'Transpose' && !n.domain)
    if (producer) {
      const inner = this.value(producer.inputs[0])
      const first = (nodeAttribute(producer, 'perm') as number[] | undefined) ?? inner.shape.map((_, i) => inner.shape.length - 1 - i)
      const composed = perm.map((p) => first[p])
      if (composed.every((p, i) => p === i)) return inner
      return this.op('Transpose', [inner], { perm: composed }, name)
    }
    return this.op('Transpose', [x], { perm }, name)
  }

  /** Reshape to a target: numbers (0 copies, -1 infers) or a shape tensor. */
  reshape(x: Value, target: readonly number[] | Value, name?: string) {
    if (Array.isArray(target) && target.length === x.shape.length && target.every((d, i) => d === x.shape[i])) return x
    return this.op('Reshape', [x, Array.isArray(target) ? this.ints(target) : (target as Value)], {}, name)
  }

  /** Reshape to a shape that may be symbolic: a constant when fully known, else a Shape of `like`. */
  reshapeLike(x: Value, like: Value, name?: string) {
    if (sameShape(x.shape, like.shape)) return x
    const n = knownNumel(like.shape)
    return this.reshape(x, n !== undefined ? (like.shape as number[]) : this.shape(like), name)
  }

  squeeze(x: Value, axes: number[], name?: string) {
    return this.opset >= 13 ? this.op('Squeeze', [x, this.ints(axes)], {}, name) : this.op('Squeeze', [x], { axes }, name)
  }

  unsqueeze(x: Value, axes: number[], name?: string) {
    return this.opset >= 13 ? this.op('Unsqueeze', [x, this.ints(axes)], {}, name) : this.op('Unsqueeze', [x], { axes }, name)
  }

  concat(xs: Value[], axis: number, name?: string) {
    return xs.length === 1 ? xs[0] : this.op('Concat', xs, { axis }, name)
  }

  split(x: Value, sizes: number[], axis: number, name?: string): Value[] {
    if (this.opset >= 13) return this.node('Split', [x, this.ints(sizes)], { axis }, { name, outputCount: sizes.length })
    return this.node('Split', [x], { axis, split: sizes }, { name, outputCount: sizes.length })
  }

  slice(x: Value, starts: number[], ends: number[], axes: number[], steps?: number[], name?: string) {
    const inputs = [x, this.ints(starts), this.ints(ends), this.ints(axes)]
    if (steps && steps.some((s) => s !== 1)) inputs.push(this.ints(steps))
    return this.op('Slice', inputs, {}, name)
  }

  /** Broadcast to a shape (numbers, or a shape tensor). */
  expand(x: Value, target: readonly number[] | Value, name?: string) {
    if (Array.isArray(target) && sameShape(x.shape, target as number[])) return x
    return this.op('Expand', [x, Array.isArray(target) ? this.ints(target) : (target as Value)], {}, name)
  }

  /** Broadcast to the shape of `like` (a constant when fully known, else a Shape node). */
  expandLike(x: Value, like: Value, name?: string) {
    if (sameShape(x.shape, like.shape)) return x
    const n = knownNumel(like.shape)
    return this.expand(x, n !== undefined ? (like.shape as number[]) : this.shape(like), name)
  }

  gather(data: Value, indices: Value, axis = 0, name?: string) { return this.op('Gather', [data, indices], { axis }, name) }

  /** A reduction over axes (attribute or input form, as the opset wants). */
  reduce(opType: 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceMin' | 'ReduceSumSquare' | 'ReduceProd' | 'ReduceL2', x: Value, axes: number[], keepdims: boolean, name?: string) {
    if (axes.length === 0) return x
    const inputForm = opType === 'ReduceSum' ? this.opset >= 13 : this.opset >= 18
    const keep = keepdims ? 1 : 0
    return inputForm ? this.op(opType, [x, this.ints(axes)], { keepdims: keep }, name) : this.op(opType, [x], { axes, keepdims: keep }, name)
  }

  reduceSum(x: Value, axes: number[], keepdims = true, name?: string) { return this.reduce('ReduceSum', x, axes, keepdims, name) }
  reduceMean(x: Value, axes: number[], keepdims = true, name?: string) { return this.reduce('ReduceMean', x, axes, keepdims, name) }
  reduceMax(x: Value, axes: number[], keepdims = true, name?: string) { return this.reduce('ReduceMax', x, axes, keepdims, name) }

  /** A float scalar constant of the same type as `like`. */
  scalarLike(value: number, like: Value): Value {
    if (!isFloat(like.dtype) && like.dtype !== DataType.int64 && like.dtype !== DataType.int32) {
      throw new NashlabError('internal', `No scalar constant for element type ${dataTypeName(like.dtype)}.`)
    }
    return this.scalar(value, like.dtype)
  }

  /** Zeros of the shape and type of `like`. */
  zerosLike(like: Value, name?: string): Value {
    const n = knownNumel(like.shape)
    if (n !== undefined) return this.expand(this.scalarLike(0, like), like.shape as number[], name)
    return this.expand(this.scalarLike(0, like), this.shape(like), name)
  }
}

/** Whether two shapes are the same (symbolic dims compare by name). */
export function sameShape(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => d !== null && d === b[i])
}

/** Attributes from plain values, typed by the op's catalogue entry. */
function encodeAttributes(opType: string, attrs: Record<string, AttributeInput>): Attribute[] {
  const spec = opSpec(opType)!
  const out: Attribute[] = []
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue
    const kind = spec.attributes[name]?.kind
    if (!kind) throw new NashlabError('internal', `Op ${opType} has no attribute "${name}" in the catalogue.`)
    switch (kind) {
      case 'int': out.push({ name, type: AttributeType.int, i: value as number }); break
      case 'ints': out.push({ name, type: AttributeType.ints, ints: value as number[] }); break
      case 'float': out.push({ name, type: AttributeType.float, f: value as number }); break
      case 'floats': out.push({ name, type: AttributeType.floats, floats: value as number[] }); break
      case 'string': out.push({ name, type: AttributeType.string, s: new TextEncoder().encode(value as string) }); break
      case 'strings': out.push({ name, type: AttributeType.strings, strings: (value as unknown as string[]).map((s) => new TextEncoder().encode(s)) }); break
      case 'tensor': out.push({ name, type: AttributeType.tensor, t: value as Tensor }); break
    }
  }
  return out
}

/** A node attribute's value with the catalogue default (re-exported for autodiff rules). */
export function nodeAttribute(node: Node, name: string) {
  return attributeValue(node, opSpec(node.opType, node.domain), name)
}

export { formatShape }
