import { NashlabError } from '../api/errors'
import { nodeAttribute, type GraphBuilder, type Value } from '../onnx/builder'
import { dataTypeName, isFloat } from '../onnx/dtype'
import { describeNode, topologicalOrder } from '../onnx/infer'
import { knownNumel } from '../onnx/infer/context'
import type { Node } from '../onnx/model'
import { opSpec } from '../onnx/ops'
import { unbroadcast } from './broadcast'
import { gradientRule } from './registry'
import type { GradientContext } from './rule'

export interface BackwardOptions {
  /** The scalar loss to differentiate. */
  loss: Value
  /** Names of the tensors to differentiate with respect to (graph inputs). */
  wrt: readonly string[]
  /** Tensors through which no gradient flows (stop-gradient). */
  stopGradient?: readonly string[]
  /** The gradient of the loss itself (default 1); e.g. a per-micro-batch weight. */
  seed?: Value
}

export interface BackwardResult {
  /** Gradient of each `wrt` tensor, by name (zeros where the loss does not depend on it). */
  gradients: Map<string, Value>
  /** The `wrt` tensors the loss does not depend on. */
  unreached: string[]
}

/**
 * Reverse-mode differentiation of the graph in `b`, appended to it. The walk visits the nodes that
 * lie between a trained tensor and the loss in reverse topological order; at each node it sums the
 * gradients arriving at its outputs (fan-out), asks the op's rule for its inputs' gradients, and
 * reduces each one to its input's shape (broadcasting, handled here once).
 */
export function appendBackward(b: GraphBuilder, options: BackwardOptions): BackwardResult {
  const { loss } = options
  if (!isFloat(loss.dtype)) throw new NashlabError('invalid_input', `The loss "${loss.name}" is ${dataTypeName(loss.dtype)}, not a floating-point tensor.`, { tensor: loss.name })
  if (knownNumel(loss.shape) !== 1) throw new NashlabError('invalid_input', `The loss "${loss.name}" must be a scalar; it has shape [${loss.shape.join(', ')}].`, { tensor: loss.name })
  for (const w of options.wrt) {
    const v = b.value(w)
    if (!isFloat(v.dtype)) throw new NashlabError('invalid_input', `Cannot differentiate with respect to "${w}": it is ${dataTypeName(v.dtype)}, not floating point.`, { tensor: w })
  }
  const order = topologicalOrder(b.graph)
  const stop = new Set(options.stopGradient ?? [])

  // Values that depend on a trained tensor through float ops that carry gradients. An output of
  // unknown type counts as live, so a gradient never silently stops at an op inference skipped.
  const live = new Set(options.wrt)
  for (const node of order) {
    const rule = gradientRule(node)
    if (rule?.kind === 'none') continue
    if (!node.inputs.some((i) => i && live.has(i))) continue
    for (const o of node.outputs) {
      const info = o ? b.infos.get(o) : undefined
      if (o && !stop.has(o) && (!info || isFloat(info.dtype))) live.add(o)
    }
  }
  // Values the loss depends on.
  const needed = new Set([loss.name])
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]
    if (node.outputs.some((o) => needed.has(o))) for (const i of node.inputs) if (i) needed.add(i)
  }
  const onPath = (name: string) => live.has(name) && needed.has(name)

  const grads = new Map<string, Value[]>()
  const push = (name: string, g: Value) => {
    const list = grads.get(name)
    if (list) list.push(g)
    else grads.set(name, [g])
  }
  const summed = (name: string): Value | null => {
    const list = grads.get(name)
    if (!list || list.length === 0) return null
    if (list.length === 1) return list[0]
    const total = fanIn(b, list, `grad.sum.${name}`)
    grads.set(name, [total])
    return total
  }
  push(loss.name, options.seed ?? b.expandLike(b.scalarLike(1, loss), loss, 'grad.seed'))
  const readers = new Map<string, Node[]>()
  for (const node of order) {
    for (const i of node.inputs) {
      if (!i) continue
      const list = readers.get(i)
      if (list) list.push(node)
      else readers.set(i, [node])
    }
  }
  const graphView = { consumers: (name: string) => readers.get(name) ?? [], gradientAt: (name: string) => (onPath(name) ? summed(name) : null) }

  if (onPath(loss.name)) {
    for (let k = order.length - 1; k >= 0; k--) {
      const node = order[k]
      if (!node.outputs.some((o) => o && onPath(o) && grads.has(o))) continue
      const rule = gradientRule(node)
      if (!rule) {
        throw new NashlabError('invalid_input', `No gradient rule for op ${node.opType} (${describeNode(node)}); the gradient cannot flow through it.`, { op: node.opType, node: node.name })
      }
      if (rule.kind === 'none') continue
      if (rule.minOpset && b.opset < rule.minOpset) {
        throw new NashlabError('invalid_input', `The gradient of ${describeNode(node)} needs ai.onnx opset ${rule.minOpset}; the graph uses ${b.opset}.`, { op: node.opType, node: node.name, requiredOpset: rule.minOpset })
      }
      for (const name of node.inputs) {
        if (!name || !onPath(name) || b.infos.has(name)) continue
        const producer = order.find((n) => n.outputs.includes(name))
        throw new NashlabError(
          'invalid_input',
          `The gradient must flow through "${name}"${producer ? ` (output of ${describeNode(producer)})` : ''}, whose type and shape are not known; that op is one Nashlab cannot infer or differentiate.`,
          { tensor: name, ...(producer ? { op: producer.opType, node: producer.name } : {}) },
        )
      }
      const dys = node.outputs.map((o) => (o && onPath(o) ? summed(o) : null))
      const ctx = context(b, node, dys, (i) => Boolean(node.inputs[i]) && onPath(node.inputs[i]), graphView)
      const inputGrads = b.scope(`grad.${node.name || node.outputs[0]}`, () => rule.backward(ctx))
      node.inputs.forEach((name, i) => {
        const g = inputGrads[i]
        if (!name || !g || !onPath(name)) return
        const x = b.value(name)
        const fitted = b.scope(`grad.${node.name || node.outputs[0]}`, () => unbroadcast(b, b.cast(g, x.dtype), x, describeNode(node)))
        push(name, fitted)
      })
    }
  }

  const gradients = new Map<string, Value>()
  const unreached: string[] = []
  for (const w of options.wrt) {
    const g = summed(w)
    if (g) gradients.set(w, g)
    else {
      unreached.push(w)
      gradients.set(w, b.zerosLike(b.value(w), `grad.zeros.${w}`))
    }
  }
  return { gradients, unreached }
}

function context(b: GraphBuilder, node: Node, dys: (Value | null)[], needs: (i: number) => boolean, graph: Pick<GradientContext, 'consumers' | 'gradientAt'>): GradientContext {
  const fail = (message: string): never => {
    throw new NashlabError('invalid_input', `Gradient of ${describeNode(node)}: ${message}`, { op: node.opType, node: node.name })
  }
  const attr = (name: string) => nodeAttribute(node, name)
  return {
    b,
    node,
    opset: b.opset,
    input: (i) => (node.inputs[i] ? b.value(node.inputs[i]) : fail(`input ${i} is missing.`)),
    hasInput: (i) => Boolean(node.inputs[i]),
    output: (i) => (node.outputs[i] ? b.value(node.outputs[i]) : b.addNodeOutput(node, i, opSpec(node.opType)?.outputs[i]?.replace(/[?.]/g, '') ?? `output${i}`)),
    dy: (i) => dys[i] ?? null,
    needs,
    consumers: graph.consumers,
    gradientAt: graph.gradientAt,
    int: (name) => {
      const v = attr(name)
      return typeof v === 'number' ? v : fail(`integer attribute "${name}" is missing.`)
    },
    ints: (name) => {
      const v = attr(name)
      return Array.isArray(v) ? (v as number[]) : undefined
    },
    float: (name) => {
      const v = attr(name)
      return typeof v === 'number' ? v : fail(`float attribute "${name}" is missing.`)
    },
    string: (name) => {
      const v = attr(name)
      return typeof v === 'string' ? v : fail(`string attribute "${name}" is missing.`)
    },
    hasAttribute: (name) => node.attributes.some((a) => a.name === name),
    fail,
  }
}

/**
 * Σ of the gradients that reach one value. One Sum reads them all in one pass, except that
 * products from a Gemm without C (a value read by several linear layers) are added one by one:
 * ONNX Runtime folds a two-input Sum(x, Gemm(A, B)) into Gemm(A, B, x) (GemmSumFusion), so those
 * additions cost no pass of their own.
 */
function fanIn(b: GraphBuilder, list: Value[], name: string): Value {
  const bareGemm = (v: Value) => {
    for (let i = b.graph.nodes.length - 1; i >= 0; i--) {
      const n = b.graph.nodes[i]
      if (n.outputs.includes(v.name)) return n.opType === 'Gemm' && (n.domain ?? '') === '' && !n.inputs[2]
    }
    return false
  }
  const products = list.filter(bareGemm)
  if (list.length === 2 || products.length < 2) return b.sum(list, name)
  const others = list.filter((v) => !products.includes(v))
  let total = others.length > 0 ? b.sum(others, name) : products.shift()!
  for (const p of products) total = b.sum([total, p], name)
  return total
}
