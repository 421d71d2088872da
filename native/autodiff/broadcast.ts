import { NashlabError } from '../api/errors'
import { formatShape, sameShape, type GraphBuilder, type Value } from '../onnx/builder'

/**
 * Reduce a gradient that has its op's broadcast (output) shape to the shape of the input it
 * belongs to (numpy broadcasting run backwards, as ORT's ComputeBroadcastBackwardAxes): sum over
 * the leading axes the input lacks and over axes where the input has size 1, then reshape. A
 * gradient smaller than its input (broadcastable to it) is expanded. Symbolic dims that match by
 * name need no work; anything that cannot be decided statically is an error naming the tensor.
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
    out = b.reduceSum(out, axes, false, `unbroadcast.${x.name}`)
  } else {
    if (axes.length > 0) out = b.reduceSum(out, axes, true, `unbroadcast.${x.name}`)
    // The summed leading axes now have size 1: drop them (or add the axes a small gradient lacks).
    if (lead > 0) out = b.squeeze(out, axes.slice(0, lead), `unbroadcast.${x.name}.squeeze`)
    else if (lead < 0) out = b.unsqueeze(out, Array.from({ length: -lead }, (_, i) => i), `unbroadcast.${x.name}.unsqueeze`)
  }
  if (needsExpand) out = b.expandLike(out, x, `unbroadcast.${x.name}.expand`)
  return out
}
