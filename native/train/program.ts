import { NashlabError } from '../api/errors'
import { promoteToInputs } from '../autodiff/autodiff'
import { appendBackward } from '../autodiff/backward'
import { DEFAULT_OPSET, GraphBuilder, type Value } from '../onnx/builder'
import { DataType, isFloat } from '../onnx/dtype'
import { defaultOpset, type Model } from '../onnx/model'
import { globalNormClip } from './clip'
import { splitProjections } from './split-projections'
import { PARAMS, emitAdamW, emitSgd, nextName, type FlatParameters, type OptimizerConfig, type StateSlot } from './optimizer'

/**
 * Train-step programs: ONNX graphs that ONNX Runtime runs as they are.
 * - `step`: forward + loss + backward + clipping + optimizer update, in one graph.
 * - `accumulate`: forward + backward for one micro-batch, adding `grad_weight`·∇loss to the running
 *   sum (`accum` → `accum.next`, flat).
 * - `apply`: clipping + optimizer update from the sum multiplied by `grad_scale`.
 * Gradient accumulation normalised over the effective batch: with micro-batch losses that are means
 * over nₖ counted tokens, feed grad_weight = nₖ and grad_scale = 1/Σₖ nₖ; the update then uses the
 * gradient of the mean loss over every token of the effective batch (for equal micro-batches,
 * weights 1 and scale 1/K give the same).
 * Trained tensors are graph inputs (one per tensor, as the forward graph reads them) and their new
 * values one flat output (`params.next`, laid out as `layout` says); optimizer state is flat too
 * (`adamw.m` → `adamw.m.next`), so the update is a dozen large elementwise nodes rather than a
 * dozen per tensor. Frozen weights stay initializers, where ONNX Runtime pre-packs them.
 */
export interface TrainProgramOptions {
  /** Scalar loss output of the forward graph. */
  loss: string
  /** Tensors to train (initializers of the forward graph); default every float initializer. */
  trainable?: readonly string[]
  /** Whether weight decay applies to a tensor (default: tensors of rank ≥ 2). */
  decay?: (name: string, shape: readonly number[]) => boolean
  optimizer: OptimizerConfig
  /** Clip the global gradient norm to this value (default: no clipping). */
  clipNorm?: number
  /** Sizes of symbolic input dims. */
  dims?: Record<string, number>
}

export interface TrainTensor {
  name: string
  shape: number[]
  decay: boolean
}

/** Where a trained tensor sits in the flat parameter vector (see FlatParameters). */
export interface LayoutEntry extends TrainTensor {
  offset: number
  size: number
}

export interface TrainProgram {
  kind: 'step' | 'accumulate' | 'apply'
  model: Model
  /** The trained tensors, in the forward graph's order. */
  trainable: TrainTensor[]
  /** The flat parameter vector: every trained tensor, the decayed ones first. */
  layout: LayoutEntry[]
  /** Elements in the flat parameter vector. */
  size: number
  /** Optimizer state (and, for `accumulate`, the gradient sum): zeros at the start. */
  state: StateSlot[]
  /** Inputs fed per step from the data (the forward graph's own inputs; `accum` for apply). */
  batchInputs: string[]
  /** Scalar inputs fed per step: learning_rate, grad_weight, grad_scale, as the kind needs. */
  scalarInputs: string[]
  /** Scalar outputs: loss (step, accumulate), grad_norm (step, apply). */
  metrics: string[]
}

export const LEARNING_RATE = 'learning_rate'
export const GRAD_WEIGHT = 'grad_weight'
export const GRAD_SCALE = 'grad_scale'
/** The running gradient sum of the accumulate program (flat, laid out like the parameters). */
export const ACCUM = 'accum'

function trainTensors(forward: Model, options: TrainProgramOptions): TrainTensor[] {
  const inits = new Map(forward.graph.initializers.map((t) => [t.name, t]))
  const names = options.trainable ?? forward.graph.initializers.filter((t) => isFloat(t.dataType)).map((t) => t.name)
  const decay = options.decay ?? ((_: string, shape: readonly number[]) => shape.length >= 2)
  return names.map((name) => {
    const t = inits.get(name)
    if (!t) throw new NashlabError('not_found', `Trainable tensor "${name}" is not an initializer of the forward graph.`, { tensor: name })
    if (t.dataType !== DataType.float) throw new NashlabError('invalid_input', `Trainable tensor "${name}" must be float32 to train.`, { tensor: name })
    return { name, shape: [...t.dims], decay: decay(name, t.dims) }
  })
}

/** The flat layout: decayed tensors first, each group in graph order. */
export function flatLayout(tensors: readonly TrainTensor[]): { layout: LayoutEntry[]; size: number; decayedSize: number } {
  const layout: LayoutEntry[] = []
  let offset = 0
  for (const t of [...tensors.filter((x) => x.decay), ...tensors.filter((x) => !x.decay)]) {
    const size = t.shape.reduce((a, b) => a * b, 1)
    layout.push({ ...t, offset, size })
    offset += size
  }
  return { layout, size: offset, decayedSize: layout.filter((e) => e.decay).reduce((n, e) => n + e.size, 0) }
}

/** The forward graph with trained tensors as inputs and no outputs yet (outputs are copied out, so only metrics stay). */
function forwardBuilder(forward: Model, tensors: TrainTensor[], options: TrainProgramOptions): { b: GraphBuilder; loss: Value; batchInputs: string[] } {
  const promoted = promoteToInputs(forward, tensors.map((t) => t.name))
  const b = GraphBuilder.edit(promoted, { dims: options.dims })
  splitProjections(b)
  const loss = b.value(options.loss)
  b.graph.outputs = []
  const trained = new Set(tensors.map((t) => t.name))
  return { b, loss, batchInputs: forward.graph.inputs.map((i) => i.name).filter((n) => !trained.has(n)) }
}

/**
 * The trained tensors and their gradients as one flat vector each (1-D views joined by Concat),
 * and the gradients per tensor (the global norm sums each tensor's squares first: two-level
 * summation keeps float32 rounding small).
 */
function flatten(b: GraphBuilder, layout: LayoutEntry[], size: number, gradients: Map<string, Value>): FlatParameters & { grads: Value[] } {
  const flat = b.scope('flat', () => ({
    pieces: layout.map((e) => b.reshape(b.value(e.name), [e.size], `${e.name}.param`)),
    decayedPieces: layout.filter((e) => e.decay).length,
    grad: b.concat(layout.map((e) => b.reshape(gradients.get(e.name)!, [e.size], `${e.name}.grad`)), 0, 'grad'),
    size,
  }))
  return { ...flat, grads: layout.map((e) => gradients.get(e.name)!) }
}

function emitOptimizer(b: GraphBuilder, flat: FlatParameters & { grads: Value[] }, options: TrainProgramOptions, gradScale: Value | null): StateSlot[] {
  const clip = globalNormClip(b, flat.grads, gradScale, options.clipNorm)
  const learningRate = b.input(LEARNING_RATE, DataType.float, [])
  const scalars = { learningRate, gradScale: clip.multiplier }
  const { param, outputs, state } = options.optimizer.kind === 'adamw' ? emitAdamW(b, flat, options.optimizer, scalars) : emitSgd(b, flat, options.optimizer, scalars)
  b.output(param, nextName(PARAMS))
  for (const s of state) b.output(outputs.get(s.output)!, s.output)
  b.output(clip.norm, 'grad_norm')
  return state
}

/** One graph: forward, loss, backward, clipping and the optimizer update. */
export function buildTrainStep(forward: Model, options: TrainProgramOptions): TrainProgram {
  const tensors = trainTensors(forward, options)
  const { layout, size } = flatLayout(tensors)
  const { b, loss, batchInputs } = forwardBuilder(forward, tensors, options)
  const { gradients } = appendBackward(b, { loss, wrt: tensors.map((t) => t.name) })
  b.output(loss, 'loss')
  const state = emitOptimizer(b, flatten(b, layout, size, gradients), options, null)
  return { kind: 'step', model: b.toModel({ prune: true }), trainable: tensors, layout, size, state, batchInputs, scalarInputs: [LEARNING_RATE], metrics: ['loss', 'grad_norm'] }
}

/** Forward and backward of one micro-batch: accum.next = accum + grad_weight·∇loss (flat). */
export function buildAccumulateStep(forward: Model, options: TrainProgramOptions): TrainProgram {
  const tensors = trainTensors(forward, options)
  const { layout, size } = flatLayout(tensors)
  const { b, loss, batchInputs } = forwardBuilder(forward, tensors, options)
  const weight = b.input(GRAD_WEIGHT, DataType.float, [])
  const { gradients } = appendBackward(b, { loss, wrt: tensors.map((t) => t.name) , seed: weight })
  b.output(loss, 'loss')
  const flat = flatten(b, layout, size, gradients)
  const acc = b.input(ACCUM, DataType.float, [size])
  b.output(b.scope('accumulate', () => b.add(acc, flat.grad, 'sum')), nextName(ACCUM))
  const state: StateSlot[] = [{ input: ACCUM, output: nextName(ACCUM), shape: [size], perTensor: true }]
  return { kind: 'accumulate', model: b.toModel({ prune: true }), trainable: tensors, layout, size, state, batchInputs, scalarInputs: [GRAD_WEIGHT], metrics: ['loss'] }
}

/** Clipping and the optimizer update from the flat gradient sum multiplied by grad_scale. */
export function buildApplyStep(forward: Model, options: TrainProgramOptions): TrainProgram {
  const tensors = trainTensors(forward, options)
  const { layout, size, decayedSize } = flatLayout(tensors)
  const b = GraphBuilder.create('apply', defaultOpset(forward) || DEFAULT_OPSET)
  const scale = b.input(GRAD_SCALE, DataType.float, [])
  const params = b.input(PARAMS, DataType.float, [size])
  const grad = b.input(ACCUM, DataType.float, [size])
  const pieces = decayedSize === 0 || decayedSize === size ? [params] : [b.slice(params, [0], [decayedSize], [0], undefined, 'decayed'), b.slice(params, [decayedSize], [size], [0], undefined, 'plain')]
  const state = emitOptimizer(b, { pieces, decayedPieces: decayedSize === 0 ? 0 : 1, grad, grads: [grad], size }, options, scale)
  return { kind: 'apply', model: b.toModel({ prune: true }), trainable: tensors, layout, size, state, batchInputs: [ACCUM], scalarInputs: [GRAD_SCALE, LEARNING_RATE], metrics: ['grad_norm'] }
}

export interface EvalProgram {
  model: Model
  trainable: string[]
  outputs: string[]
}

/**
 * An evaluation program: the forward graph with the trained tensors as inputs (so current values
 * are fed without rebuilding a session) and only the requested outputs (ONNX Runtime copies every
 * output, so a separate graph avoids paying for the training outputs, and vice versa).
 */
export function buildEvalProgram(forward: Model, trainable: readonly string[], outputs: readonly string[]): EvalProgram {
  const promoted = promoteToInputs(forward, trainable)
  for (const o of outputs) {
    if (!forward.graph.outputs.some((x) => x.name === o)) throw new NashlabError('not_found', `The forward graph has no output "${o}".`, { tensor: o })
  }
  const model: Model = { ...promoted, graph: { ...promoted.graph, outputs: promoted.graph.outputs.filter((x) => outputs.includes(x.name)) } }
  return { model, trainable: [...trainable], outputs: [...outputs] }
}
