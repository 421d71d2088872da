import { NashlabError } from '../api/errors'
import { formatShape, sameShape, type GraphBuilder, type Value } from '../onnx/builder'
import { DataType } from '../onnx/dtype'

/**
 * Reduce a gradient that has its op's broadcast (output) shape to the shape of the input it
 * belongs to (numpy broadcasting run backwards, as ORT's ComputeBroadcastBackwardAxes): sum over
 * the leading axes the input lacks and over axes where the input has size 1, then reshape. A
 * gradient smaller than its input (broadcastable to it) is expanded. Symbolic dims that match by
 * name need no work; anything that cannot be decided statically is an error naming the tensor.
 * A sum over missing leading axes of static size (a bias gradient: (B·T, n) → (n)) is a product
 * with a row of ones, 1ᵀ·G: ONNX Runtime's MatMul reads the rows once with vector loads and is
 * 2–3× faster than its ReduceSum over axis 0.
 */
export function unbroadcast(b: GraphBuilder, g: Value, x: Value, where: string): Value {
  if (sameShape(g.shape, x.shape)) return g
  const lead = g.shape.length - x.shape.length
  const axes: number[] = []
  let needsExpand = false
  for (let i = 0; i < lead; i++) axes.push(i)
  for (let i = Math.max(0, -lead); i < x.shape.length; i++) {
    const gi = i + lead
    const xd = x.shape[i]
    const gd = gi >= 0 ? g.shape[gi] : 1
    if (xd === gd && xd !== null) continue
    if (xd === 1) axes.push(gi)
    else if (gd === 1) needsExpand = true
    else {
      throw new NashlabError(
        'invalid_input',
        `${where}: the gradient of "${x.name}" has shape ${formatShape(g.shape)} and the tensor ${formatShape(x.shape)}; reducing it needs static shapes (give the graph inputs fixed sizes).`,
        { tensor: x.name },
      )
    }
  }
  let out = g
  if (axes.length > 0 && axes.every((a) => a < lead)) {
    // Only missing leading axes: one reduction that drops them.
    out = leadingSum(b, out, lead, x) ?? b.reduceSum(out, axes, false, `unbroadcast.${x.name}`)
  } else {
    if (axes.length > 0) out = b.reduceSum(out, axes, true, `unbroadcast.${x.name}`)
    // The summed leading axes now have size 1: drop them (or add the axes a small gradient lacks).
    if (lead > 0) out = b.squeeze(out, axes.slice(0, lead), `unbroadcast.${x.name}.squeeze`)
    else if (lead < 0) out = b.unsqueeze(out, Array.from({ length: -lead }, (_, i) => i), `unbroadcast.${x.name}.unsqueeze`)
  }
  if (needsExpand) out = b.expandLike(out, x, `unbroadcast.${x.name}.expand`)
  return out
}

/**
 * Σ over the first `lead` axes of a float tensor with static dims as 1ᵀ·reshape(G, [rows, cols]),
 * reshaped to the kept dims; undefined when a dim is symbolic or the type has no MatMul kernel.
 */
function leadingSum(b: GraphBuilder, g: Value, lead: number, x: Value): Value | undefined {
  if (g.dtype !== DataType.float && g.dtype !== DataType.double) return undefined
  if (!g.shape.every((d): d is number => typeof d === 'number')) return undefined
  const dims = g.shape as number[]
  const rows = dims.slice(0, lead).reduce((p, d) => p * d, 1)
  const kept = dims.slice(lead)
  const cols = kept.reduce((p, d) => p * d, 1)
  const ones = b.constant(g.dtype, [rows], new Array<number>(rows).fill(1), `unbroadcast.${x.name}.ones`)
  const matrix = b.reshape(g, [rows, cols], `unbroadcast.${x.name}.rows`)
  return b.reshape(b.matMul(ones, matrix, `unbroadcast.${x.name}`), kept, `unbroadcast.${x.name}.shape`)
}
