import { DataType } from '../../onnx/dtype'
import { knownNumbers, strides } from '../../onnx/infer/context'
import { resolveSlice } from '../../onnx/infer/movement'
import { gradient, type GradientContext } from '../rule'

function sliceInputs(ctx: GradientContext) {
  if (ctx.opset < 10) return { starts: ctx.ints('starts'), ends: ctx.ints('ends'), axes: ctx.ints('axes'), steps: undefined }
  const constant = (i: number, what: string) => (ctx.hasInput(i) ? (knownNumbers(ctx.input(i)) ?? ctx.fail(`needs constant ${what}.`)) : undefined)
  return { starts: constant(1, 'starts'), ends: constant(2, 'ends'), axes: constant(3, 'axes'), steps: constant(4, 'steps') }
}

/**
 * Y = X[starts:ends:steps] on some axes: dX = dY placed back at the sliced positions, zeros
 * elsewhere — a Pad for unit steps, a ScatterND with constant indices otherwise. The slice
 * parameters must be constants and the sliced dims static.
 */
export const Slice = gradient((ctx) => {
  const b = ctx.b
  const x = ctx.input(0)
  const dy = ctx.dy(0)!
  const { starts, ends, axes, steps } = sliceInputs(ctx)
  if (!starts || !ends) ctx.fail('needs constant starts and ends.')
  const params = resolveSlice(x.shape, starts!, ends!, axes, steps, ctx.fail) ?? ctx.fail('needs static sizes on the sliced axes.')
  const rank = x.shape.length
  if (params.every((p) => p.step === 1)) {
    const pads = new Array<number>(2 * rank).fill(0)
    for (const p of params) {
      pads[p.axis] = p.start
      pads[rank + p.axis] = (x.shape[p.axis] as number) - p.start - p.count
    }
    const dx = ctx.opset >= 11 ? b.op('Pad', [dy, b.ints(pads)], {}, 'dx') : b.op('Pad', [dy], { pads }, 'dx')
    return [dx]
  }
  if (!dy.shape.every((d) => typeof d === 'number')) ctx.fail('with non-unit steps needs static shapes.')
  const shape = dy.shape as number[]
  const count = shape.reduce((p, d) => p * d, 1)
  const st = strides(shape)
  const coords = new Array<number>(count * rank)
  const byAxis = new Map(params.map((p) => [p.axis, p]))
  for (let i = 0; i < count; i++) {
    let rem = i
    for (let a = 0; a < rank; a++) {
      const c = Math.floor(rem / st[a])
      rem -= c * st[a]
      const p = byAxis.get(a)
      coords[i * rank + a] = p ? p.start + c * p.step : c
    }
  }
  const indices = b.constant(DataType.int64, [...shape, rank], coords, 'positions')
  return [b.node('ScatterND', [b.zerosLike(x, 'zeros'), indices, dy], {}, { name: 'dx' })[0]]
})
