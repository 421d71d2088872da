import { nodeAttribute, type GraphBuilder, type Value } from '../onnx/builder'
import { knownNumbers } from '../onnx/infer/context'
import type { Node } from '../onnx/model'

/**
 * A projection whose output is only cut into column blocks (a GPT's fused query/key/value Gemm
 * followed by a Split) becomes one Gemm per block off the matching column blocks of the weight and
 * the bias: Y = X·W + c, [Y₀ ‖ Y₁ ‖ …] = split(Y) ⇒ Yᵢ = X·Wᵢ + cᵢ with [W₀ ‖ W₁ ‖ …] = split(W)
 * (rows of W when it is applied transposed). The values are the same; the train step no longer
 * copies the (rows, 3d) activation into three pieces forward nor joins their gradients backward
 * (Split and Concat over (B·T, 3d)); it splits the (d, 3d) weight and joins its gradient instead.
 * Measured on the d 128 GPT step (one thread, per layer): Split 0.6 + Concat 0.8 ms gone, three
 * N = d Gemms slightly slower than one N = 3d Gemm; the three input gradients are added inside the
 * Gemms (the backward walk's fan-in lets ONNX Runtime apply GemmSumFusion). See docs/onnxruntime.md.
 * Only train programs are rewritten; forward models, exports and LoRA-adapted projections (whose
 * Split reads an Add) keep their one Gemm. Rewrites `b`'s graph in place, the new nodes placed
 * before the first node that reads them; a projection whose output or pieces are also read
 * elsewhere, or whose sizes are not static, stays. Returns how many were rewritten.
 */
export function splitProjections(b: GraphBuilder): number {
  let rewritten = 0
  for (const gemm of [...b.graph.nodes]) {
    const match = matchSplitProjection(b, gemm)
    if (!match) continue
    const { split, sizes } = match
    const [x, w, c] = gemm.inputs.map((name) => (name ? b.value(name) : null))
    const transB = nodeAttribute(gemm, 'transB') === 1
    const options = { transA: nodeAttribute(gemm, 'transA') === 1, transB, alpha: nodeAttribute(gemm, 'alpha') as number, beta: nodeAttribute(gemm, 'beta') as number }
    const name = gemm.name || gemm.outputs[0]
    const first = b.graph.nodes.length
    const weights = b.split(w!, sizes, transB ? 0 : 1, `${name}.weight_split`)
    const biases = c ? b.split(c, sizes, 0, `${name}.bias_split`) : sizes.map(() => null)
    const pieces = weights.map((wi, i) => b.gemm(x!, wi, biases[i], options, `${name}.part${i}`))
    const renamed = new Map(split.outputs.map((o, i) => [o, pieces[i].name]))
    const added = b.graph.nodes.splice(first)
    const rest = b.graph.nodes.filter((n) => n !== gemm && n !== split)
    for (const n of rest) n.inputs = n.inputs.map((i) => renamed.get(i) ?? i)
    b.graph.nodes.splice(0, b.graph.nodes.length, ...placeBeforeReaders(rest, added))
    rewritten++
  }
  return rewritten
}

/** The Split that alone reads a plain Gemm's output, cutting its columns into static sizes. */
function matchSplitProjection(b: GraphBuilder, gemm: Node): { split: Node; sizes: number[] } | null {
  if (gemm.opType !== 'Gemm' || (gemm.domain ?? '') !== '' || gemm.outputs.length !== 1) return null
  const out = gemm.outputs[0]
  const graphOutputs = new Set(b.graph.outputs.map((o) => o.name))
  if (graphOutputs.has(out)) return null
  const readers = b.graph.nodes.filter((n) => n.inputs.includes(out))
  if (readers.length !== 1) return null
  const split = readers[0]
  if (split.opType !== 'Split' || (split.domain ?? '') !== '' || split.inputs[0] !== out || split.inputs.slice(1).includes(out)) return null
  if (split.outputs.some((o) => !o || graphOutputs.has(o))) return null
  const y: Value = b.value(out)
  if (y.shape.length !== 2) return null
  const axis = nodeAttribute(split, 'axis') as number
  if (axis !== 1 && axis !== -1) return null
  const w = b.value(gemm.inputs[1])
  if (w.shape.length !== 2 || !w.shape.every((d) => typeof d === 'number')) return null
  const width = nodeAttribute(gemm, 'transB') === 1 ? w.shape[0] : w.shape[1]
  const sizes = splitSizes(b, split, width as number)
  if (!sizes) return null
  const c = gemm.inputs[2] ? b.value(gemm.inputs[2]) : null
  if (c && !(c.shape.length === 1 && c.shape[0] === width)) return null
  return { split, sizes }
}

/** A Split's static sizes: its `split` input or attribute, or equal pieces (num_outputs or the output count). */
function splitSizes(b: GraphBuilder, split: Node, width: number): number[] | null {
  const given = split.inputs[1] ? knownNumbers(b.infos.get(split.inputs[1])) : (nodeAttribute(split, 'split') as number[] | undefined)
  if (given && given.length > 0) return given.length === split.outputs.length && given.reduce((s, d) => s + d, 0) === width ? given : null
  const count = split.outputs.length
  return width % count === 0 ? new Array<number>(count).fill(width / count) : null
}

/**
 * `added` inserted just before the first node of `rest` that reads one of their outputs, so
 * every node still follows its inputs' producers (theirs all precede the replaced Split's readers).
 */
function placeBeforeReaders(rest: Node[], added: Node[]): Node[] {
  const produced = new Set(added.flatMap((n) => n.outputs))
  const at = rest.findIndex((n) => n.inputs.some((i) => produced.has(i)))
  return at === -1 ? [...rest, ...added] : [...rest.slice(0, at), ...added, ...rest.slice(at)]
}
