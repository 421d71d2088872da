import { DataType } from '../../onnx/dtype'
import { knownNumbers } from '../../onnx/infer/context'
import type { GraphBuilder, Value } from '../../onnx/builder'
import { axisOf } from '../helpers'
import { gradient } from '../rule'

/** Indices with negative entries wrapped (skipped when they are known non-negative constants). */
export function wrapIndices(b: GraphBuilder, indices: Value, size: Value | number): Value {
  const known = knownNumbers(indices)
  if (known && known.every((i) => i >= 0)) return indices
  const n = typeof size === 'number' ? b.scalar(size, indices.dtype) : b.cast(size, indices.dtype)
  return b.where(b.less(indices, b.scalar(0, indices.dtype), 'negative'), b.add(indices, n, 'wrapped'), indices, 'indices')
}

/**
 * Y = Gather(data, indices, axis): dData = zeros with dY added at the gathered positions
 * (ScatterND with reduction 'add', so repeated indices accumulate: the embedding gradient).
 * For axis > 0 the indexed axis is moved to the front and back around the scatter.
 */
export const Gather = gradient((ctx) => {
  const b = ctx.b
  const data = ctx.input(0)
  const dy = ctx.dy(0)!
  const rank = data.shape.length
  const axis = axisOf(ctx.int('axis'), rank)
  const q = ctx.input(1).shape.length
  const dim = data.shape[axis]
  const indices = wrapIndices(b, ctx.input(1), typeof dim === 'number' ? dim : b.gather(b.shape(data), b.scalar(axis, DataType.int64), 0, 'dim'))
  const index = b.cast(b.unsqueeze(indices, [q], 'index'), DataType.int64, 'index_int64')
  if (axis === 0) return [b.node('ScatterND', [b.zerosLike(data, 'zeros'), index, dy], { reduction: 'add' }, { name: 'ddata' })[0], null]
  // dY axes: data[:axis], indices dims, data[axis+1:] → indices dims first.
  const lead = Array.from({ length: axis }, (_, i) => i)
  const idx = Array.from({ length: q }, (_, i) => axis + i)
  const trail = Array.from({ length: rank - axis - 1 }, (_, i) => axis + q + i)
  const moved = b.transpose(dy, [...idx, ...lead, ...trail], 'dy_front')
  const front = [axis, ...lead, ...Array.from({ length: rank - axis - 1 }, (_, i) => axis + 1 + i)]
  const frontShape = front.map((a) => data.shape[a])
  const zeros = frontShape.every((d) => typeof d === 'number')
    ? b.expand(b.scalarLike(0, data), frontShape as number[], 'zeros')
    : b.expand(b.scalarLike(0, data), b.gather(b.shape(data), b.ints(front), 0, 'front_shape'), 'zeros')
  const scattered = b.node('ScatterND', [zeros, index, moved], { reduction: 'add' }, { name: 'scatter' })[0]
  const back = [...Array.from({ length: axis }, (_, i) => i + 1), 0, ...Array.from({ length: rank - axis - 1 }, (_, i) => axis + 1 + i)]
  return [b.transpose(scattered, back, 'ddata'), null]
}, 16)
