import { DataType } from '../../onnx/dtype'
import { axisOf } from '../helpers'
import { gradient } from '../rule'
import { wrapIndices } from './Gather'

/**
 * Y = GatherElements(data, indices, axis): dData = zeros with dY added at the gathered positions
 * (ScatterElements with reduction 'add'). This is the gradient of picking each token's log-prob.
 */
export const GatherElements = gradient((ctx) => {
  const b = ctx.b
  const data = ctx.input(0)
  const axis = axisOf(ctx.int('axis'), data.shape.length)
  const dim = data.shape[axis]
  const indices = wrapIndices(b, ctx.input(1), typeof dim === 'number' ? dim : b.gather(b.shape(data), b.scalar(axis, DataType.int64), 0, 'dim'))
  return [b.node('ScatterElements', [b.zerosLike(data, 'zeros'), indices, ctx.dy(0)!], { axis, reduction: 'add' }, { name: 'ddata' })[0], null]
}, 16)
