import { argReduce, reduce } from './infer/reduce'
import { broadcast, cast, clip, dropout, eyeLike, unary, unaryBool, where } from './infer/elementwise'
import {
  concat, expand, flatten, gather, gatherElements, nonZero, oneHot, pad, reshape, sameAsData, slice, split, squeeze, tile, transpose, trilu, unsqueeze,
} from './infer/movement'
import { crossEntropy, gemm, layerNormalization, matMul } from './infer/nn'
import { constant, constantOfShape, range, shape, size } from './infer/source'
import type { InferFn } from './infer/context'

/**
 * The ai.onnx operators Nashlab reads and writes, in one place: their inputs (`?` optional,
 * `...` variadic), outputs, attributes with types and defaults, and their static shape inference.
 * The graph builder refuses an op missing here; autodiff rules live in native/autodiff/rules.
 * Attributes whose form changed across opsets list both forms (e.g. Reduce* `axes`: an attribute
 * before opset 18 — 13 for ReduceSum — and an input from then on).
 */
export type AttributeKind = 'int' | 'ints' | 'float' | 'floats' | 'string' | 'strings' | 'tensor'

export interface AttributeSpec {
  kind: AttributeKind
  default?: number | number[] | string
}

export interface OpSpec {
  inputs: string[]
  outputs: string[]
  attributes: Record<string, AttributeSpec>
  infer: InferFn
}

const int = (d?: number): AttributeSpec => ({ kind: 'int', ...(d !== undefined ? { default: d } : {}) })
const ints = (): AttributeSpec => ({ kind: 'ints' })
const float = (d?: number): AttributeSpec => ({ kind: 'float', ...(d !== undefined ? { default: d } : {}) })
const str = (d?: string): AttributeSpec => ({ kind: 'string', ...(d !== undefined ? { default: d } : {}) })
const tensor = (): AttributeSpec => ({ kind: 'tensor' })

const op = (inputs: string[], outputs: string[], infer: InferFn, attributes: Record<string, AttributeSpec> = {}): OpSpec => ({ inputs, outputs, attributes, infer })
const un = (fn?: (x: number) => number) => op(['X'], ['Y'], unary(fn))
const bin = (fn: (a: number, b: number) => number) => op(['A', 'B'], ['C'], broadcast(fn))
const cmp = (fn: (a: number, b: number) => boolean) => op(['A', 'B'], ['C'], broadcast((a, b) => Number(fn(a, b)), 'bool'))
const reduction = (extra: Record<string, AttributeSpec> = {}) => op(['data', 'axes?'], ['reduced'], reduce, { axes: ints(), keepdims: int(1), noop_with_empty_axes: int(0), ...extra })
const erf = (x: number) => {
  // Numerical Recipes' erfc fit (|error| < 1.2e-7): inference only evaluates small constants.
  const t = 1 / (1 + 0.5 * Math.abs(x))
  const y = 1 - t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
  return x >= 0 ? y : -y
}

export const ops: Record<string, OpSpec> = {
  // Elementwise arithmetic
  Add: bin((a, b) => a + b),
  Sub: bin((a, b) => a - b),
  Mul: bin((a, b) => a * b),
  Div: bin((a, b) => a / b),
  Pow: bin((a, b) => a ** b),
  Max: op(['data_0...'], ['max'], broadcast((...x) => Math.max(...x))),
  Min: op(['data_0...'], ['min'], broadcast((...x) => Math.min(...x))),
  Sum: op(['data_0...'], ['sum'], broadcast((...x) => x.reduce((a, b) => a + b, 0))),
  Mean: op(['data_0...'], ['mean'], broadcast((...x) => x.reduce((a, b) => a + b, 0) / x.length)),
  Neg: un((x) => -x),
  Abs: un(Math.abs),
  Sign: un(Math.sign),
  Floor: un(Math.floor),
  Ceil: un(Math.ceil),
  Round: un((x) => Math.round(x)),
  Sqrt: un(Math.sqrt),
  Reciprocal: un((x) => 1 / x),
  Exp: un(Math.exp),
  Log: un(Math.log),
  Tanh: un(Math.tanh),
  Erf: un(erf),
  Sin: un(Math.sin),
  Cos: un(Math.cos),
  Sigmoid: un((x) => 1 / (1 + Math.exp(-x))),
  Relu: un((x) => Math.max(x, 0)),
  HardSigmoid: op(['X'], ['Y'], unary(), { alpha: float(0.2), beta: float(0.5) }),
  Softplus: un((x) => Math.log1p(Math.exp(x))),
  Gelu: op(['X'], ['Y'], unary(), { approximate: str('none') }),
  Identity: op(['input'], ['output'], unary()),
  Clip: op(['input', 'min?', 'max?'], ['output'], clip, { min: float(), max: float() }),
  Cast: op(['input'], ['output'], cast, { to: int(), saturate: int(1) }),
  CastLike: op(['input', 'target_type'], ['output'], (ctx) => [{ dtype: ctx.required(1).dtype, shape: ctx.required(0).shape }], { saturate: int(1) }),
  Where: op(['condition', 'X', 'Y'], ['output'], where),
  Dropout: op(['data', 'ratio?', 'training_mode?'], ['output', 'mask?'], dropout, { seed: int(), ratio: float(0.5) }),
  // Comparison and logic (no gradient)
  Equal: cmp((a, b) => a === b),
  Less: cmp((a, b) => a < b),
  LessOrEqual: cmp((a, b) => a <= b),
  Greater: cmp((a, b) => a > b),
  GreaterOrEqual: cmp((a, b) => a >= b),
  And: cmp((a, b) => Boolean(a && b)),
  Or: cmp((a, b) => Boolean(a || b)),
  Xor: cmp((a, b) => Boolean(a) !== Boolean(b)),
  Not: op(['X'], ['Y'], unaryBool((x) => !x)),
  IsNaN: op(['X'], ['Y'], unaryBool(Number.isNaN)),
  IsInf: op(['X'], ['Y'], unaryBool((x) => !Number.isFinite(x) && !Number.isNaN(x)), { detect_negative: int(1), detect_positive: int(1) }),
  // Linear algebra and neural-network blocks
  MatMul: op(['A', 'B'], ['Y'], matMul),
  Gemm: op(['A', 'B', 'C?'], ['Y'], gemm, { alpha: float(1), beta: float(1), transA: int(0), transB: int(0) }),
  Softmax: op(['input'], ['output'], unary(), { axis: int(-1) }),
  LogSoftmax: op(['input'], ['output'], unary(), { axis: int(-1) }),
  LayerNormalization: op(['X', 'Scale', 'B?'], ['Y', 'Mean?', 'InvStdDev?'], layerNormalization, { axis: int(-1), epsilon: float(1e-5), stash_type: int(1) }),
  SoftmaxCrossEntropyLoss: op(['scores', 'labels', 'weights?'], ['output', 'log_prob?'], crossEntropy, { ignore_index: int(), reduction: str('mean') }),
  NegativeLogLikelihoodLoss: op(['input', 'target', 'weight?'], ['loss'], crossEntropy, { ignore_index: int(), reduction: str('mean') }),
  CumSum: op(['x', 'axis'], ['y'], unary(), { exclusive: int(0), reverse: int(0) }),
  // Reductions
  ReduceSum: reduction(),
  ReduceMean: reduction(),
  ReduceMax: reduction(),
  ReduceMin: reduction(),
  ReduceProd: reduction(),
  ReduceSumSquare: reduction(),
  ReduceL2: reduction(),
  ArgMax: op(['data'], ['reduced'], argReduce, { axis: int(0), keepdims: int(1), select_last_index: int(0) }),
  ArgMin: op(['data'], ['reduced'], argReduce, { axis: int(0), keepdims: int(1), select_last_index: int(0) }),
  // Movement and indexing
  Reshape: op(['data', 'shape'], ['reshaped'], reshape, { allowzero: int(0) }),
  Flatten: op(['input'], ['output'], flatten, { axis: int(1) }),
  Transpose: op(['data'], ['transposed'], transpose, { perm: ints() }),
  Squeeze: op(['data', 'axes?'], ['squeezed'], squeeze, { axes: ints() }),
  Unsqueeze: op(['data', 'axes?'], ['expanded'], unsqueeze, { axes: ints() }),
  Concat: op(['inputs...'], ['concat_result'], concat, { axis: int() }),
  Split: op(['input', 'split?'], ['outputs...'], split, { axis: int(0), split: ints(), num_outputs: int() }),
  Slice: op(['data', 'starts', 'ends', 'axes?', 'steps?'], ['output'], slice, { starts: ints(), ends: ints(), axes: ints() }),
  Expand: op(['input', 'shape'], ['output'], expand),
  Tile: op(['input', 'repeats'], ['output'], tile),
  Pad: op(['data', 'pads', 'constant_value?', 'axes?'], ['output'], pad, { mode: str('constant'), pads: ints(), value: float(0) }),
  Gather: op(['data', 'indices'], ['output'], gather, { axis: int(0) }),
  GatherElements: op(['data', 'indices'], ['output'], gatherElements, { axis: int(0) }),
  ScatterND: op(['data', 'indices', 'updates'], ['output'], sameAsData, { reduction: str('none') }),
  ScatterElements: op(['data', 'indices', 'updates'], ['output'], sameAsData, { axis: int(0), reduction: str('none') }),
  Trilu: op(['input', 'k?'], ['output'], trilu, { upper: int(1) }),
  OneHot: op(['indices', 'depth', 'values'], ['output'], oneHot, { axis: int(-1) }),
  NonZero: op(['X'], ['Y'], nonZero),
  // Sources and shape plumbing
  Constant: op([], ['output'], constant, { value: tensor(), value_float: float(), value_floats: { kind: 'floats' }, value_int: int(), value_ints: ints() }),
  ConstantOfShape: op(['input'], ['output'], constantOfShape, { value: tensor() }),
  Range: op(['start', 'limit', 'delta'], ['output'], range),
  Shape: op(['data'], ['shape'], shape, { start: int(), end: int() }),
  Size: op(['data'], ['size'], size),
  EyeLike: op(['input'], ['output'], eyeLike, { dtype: int(), k: int(0) }),
}

/** The catalogue entry of an op, or undefined for ops Nashlab does not know (or other domains). */
export function opSpec(opType: string, domain?: string): OpSpec | undefined {
  if (domain && domain !== 'ai.onnx') return undefined
  return Object.hasOwn(ops, opType) ? ops[opType] : undefined
}
