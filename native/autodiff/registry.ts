import type { Node } from '../onnx/model'
import { noGradient, type GradientRule } from './rule'
import { Abs } from './rules/Abs'
import { Add } from './rules/Add'
import { Cast } from './rules/Cast'
import { Concat } from './rules/Concat'
import { CumSum } from './rules/CumSum'
import { Div } from './rules/Div'
import { Dropout } from './rules/Dropout'
import { Erf } from './rules/Erf'
import { Exp } from './rules/Exp'
import { Expand } from './rules/Expand'
import { Flatten } from './rules/Flatten'
import { Gather } from './rules/Gather'
import { GatherElements } from './rules/GatherElements'
import { Gelu } from './rules/Gelu'
import { Gemm } from './rules/Gemm'
import { Identity } from './rules/Identity'
import { LayerNormalization } from './rules/LayerNormalization'
import { Log } from './rules/Log'
import { LogSoftmax } from './rules/LogSoftmax'
import { MatMul } from './rules/MatMul'
import { Mul } from './rules/Mul'
import { Neg } from './rules/Neg'
import { Pow } from './rules/Pow'
import { Reciprocal } from './rules/Reciprocal'
import { ReduceMax } from './rules/ReduceMax'
import { ReduceMean } from './rules/ReduceMean'
import { ReduceMin } from './rules/ReduceMin'
import { ReduceSum } from './rules/ReduceSum'
import { ReduceSumSquare } from './rules/ReduceSumSquare'
import { Relu } from './rules/Relu'
import { Reshape } from './rules/Reshape'
import { Sigmoid } from './rules/Sigmoid'
import { Slice } from './rules/Slice'
import { Softmax } from './rules/Softmax'
import { SoftmaxCrossEntropyLoss } from './rules/SoftmaxCrossEntropyLoss'
import { Split } from './rules/Split'
import { Sqrt } from './rules/Sqrt'
import { Squeeze } from './rules/Squeeze'
import { Sub } from './rules/Sub'
import { Sum } from './rules/Sum'
import { Tanh } from './rules/Tanh'
import { Transpose } from './rules/Transpose'
import { Trilu } from './rules/Trilu'
import { Unsqueeze } from './rules/Unsqueeze'
import { Where } from './rules/Where'

const integerResult = noGradient('its result is an integer or boolean tensor')
const shapePlumbing = noGradient('it computes shapes or indices, not values')
const stepFunction = noGradient('it is piecewise constant (zero gradient almost everywhere)')

/**
 * Every ai.onnx op's gradient rule, one per op type; ops that carry no gradient are listed
 * explicitly so that an op missing from here fails loudly instead of silently blocking gradients.
 */
export const gradientRules: Record<string, GradientRule> = {
  Abs, Add, Cast, Concat, CumSum, Div, Dropout, Erf, Exp, Expand, Flatten, Gather, GatherElements, Gelu, Gemm,
  Identity, LayerNormalization, Log, LogSoftmax, MatMul, Mul, Neg, Pow, Reciprocal, ReduceMax, ReduceMean,
  ReduceMin, ReduceSum, ReduceSumSquare, Relu, Reshape, Sigmoid, Slice, Softmax, SoftmaxCrossEntropyLoss, Split,
  Sqrt, Squeeze, Sub, Sum, Tanh, Transpose, Trilu, Unsqueeze, Where,
  // No gradient.
  Constant: noGradient('it has no inputs'),
  ConstantOfShape: shapePlumbing,
  EyeLike: shapePlumbing,
  Shape: shapePlumbing,
  Size: shapePlumbing,
  Range: shapePlumbing,
  NonZero: shapePlumbing,
  ArgMax: integerResult,
  ArgMin: integerResult,
  Equal: integerResult,
  Less: integerResult,
  LessOrEqual: integerResult,
  Greater: integerResult,
  GreaterOrEqual: integerResult,
  Not: integerResult,
  And: integerResult,
  Or: integerResult,
  Xor: integerResult,
  IsNaN: integerResult,
  IsInf: integerResult,
  OneHot: noGradient('its values input is a constant pair and its indices are integers'),
  Sign: stepFunction,
  Floor: stepFunction,
  Ceil: stepFunction,
  Round: stepFunction,
}

/** The rule for a node's op, or undefined when there is none (other domains included). */
export function gradientRule(node: Node): GradientRule | undefined {
  if (node.domain && node.domain !== 'ai.onnx') return undefined
  return Object.hasOwn(gradientRules, node.opType) ? gradientRules[node.opType] : undefined
}
