import { NashlabError } from '../api/errors'
import { promoteToInputs } from '../autodiff/autodiff'
import { appendBackward } from '../autodiff/backward'
import { DEFAULT_OPSET, GraphBuilder, type Value } from '../onnx/builder'
import { DataType, isFloat } from '../onnx/dtype'
import { defaultOpset, type Model } from '../onnx/model'
import { globalNormClip } from './clip'
import { emitAdamW, emitSgd, nextName, type OptimizerConfig, type OptimizerTensor, type StateSlot } from './optimizer'

/**
 * Train-step programs: ONNX graphs that ONNX Runtime runs as they are.
 * - `step`: forward + loss + backward + clipping + optimizer update, in one graph.
 * - `accumulate`: forward + backward for one micro-batch, adding `grad_weight`·∇loss to running
 *   sums (`accum.<name>` → `accum.<name>.next`).
 * - `apply`: clipping + optimizer update from the sums, each multiplied by `grad_scale`.
 * Gradient accumulation normalised over the effective batch: with micro-batch losses that are means
 * over nₖ counted tokens, feed grad_weight = nₖ and grad_scale = 1/Σₖ nₖ; the update then uses the
 * gradient of the mean loss over every token of the effective batch (for equal micro-batches,
 * weights 1 and scale 1/K give the same).
 * Trained tensors and optimizer state are graph inputs and their new values are outputs
 * (`<name>.next`); frozen weights stay initializers, where ONNX Runtime pre-packs them.
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

export interface TrainProgram {
  kind: 'step' | 'accumulate' | 'apply'
  model: Model
  trainable: TrainTensor[]
  /** Optimizer state (and, for `accumulate`, the gradient sums): zeros at the start. */
  state: StateSlot[]
  /** Inputs fed per step from the data (the forward graph's own inputs). */
  batchInputs: string[]
  /** Scalar inputs fed per step: learning_rate, grad_weight, grad_scale, as the kind needs. */
  scalarInputs: string[]
  /** Scalar outputs: loss (step, accumulate), grad_norm (step, apply). */
  metrics: string[]
}

export const LEARNING_RATE = 'learning_rate'
export const GRAD_WEIGHT = 'grad_weight'
export const GRAD_SCALE = 'grad_scale'
export const accumName = (name: string) => `accum.${name}`

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

/** The forward graph with trained tensors as inputs and no outputs yet (outputs are copied out, so only metrics stay). */
function forwardBuilder(forward: Model, tensors: TrainTensor[], options: TrainProgramOptions): { b: GraphBuilder; loss: Value; batchInputs: string[] } {
  const promoted = promoteToInputs(forward, tensors.map((t) => t.name))
  const b = GraphBuilder.edit(promoted, { dims: options.dims })
  const loss = b.value(options.loss)
  b.graph.outputs = []
  const trained = new Set(tensors.map((t) => t.name))
  return { b, loss, batchInputs: forward.graph.inputs.map((i) => i.name).filter((n) => !trained.has(n)) }
}

function emitOptimizer(b: GraphBuilder, tensors: OptimizerTensor[], options: TrainProgramOptions, gradScale: Value | null) {
  const clip = globalNormClip(b, tensors.map((t) => t.grad), gradScale, options.clipNorm)
  const learningRate = b.input(LEARNING_RATE, DataType.float, [])
  const scalars = { learningRate, gradScale: clip.multiplier }
  const { outputs, state } = options.optimizer.kind === 'adamw' ? emitAdamW(b, tensors, options.optimizer, scalars) : emitSgd(b, tensors, options.optimizer, scalars)
  for (const t of tensors) b.output(outputs.get(nextName(t.name))!, nextName(t.name))
  for (const s of state) b.output(outputs.get(s.output)!, s.output)
  b.output(clip.norm, 'grad_norm')
  return state
}

/** One graph: forward, loss, backward, clipping and the optimizer update. */
export function buildTrainStep(forward: Model, options: TrainProgramOptions): TrainProgram {
  const tensors = trainTensors(forward, options)
  const { b, loss, batchInputs } = forwardBuilder(forward, tensors, options)
  const { gradients } = appendBackward(b, { loss, wrt: tensors.map((t) => t.name) })
  b.output(loss, 'loss')
  const state = emitOptimizer(b, tensors.map((t) => ({ name: t.name, param: b.value(t.name), grad: gradients.get(t.name)!, decay: t.decay })), options, null)
  return { kind: 'step', model: b.toModel(), trainable: tensors, state, batchInputs, scalarInputs: [LEARNING_RATE], metrics: ['loss', 'grad_norm'] }
}

/** Forward and backward of one micro-batch: accum.<name>.next = accum.<name> + grad_weight·∇loss. */
export function buildAccumulateStep(forward: Model, options: TrainProgramOptions): TrainProgram {
  const tensors = trainTensors(forward, options)
  const { b, loss, batchInputs } = forwardBuilder(forward, tensors, options)
  const weight = b.input(GRAD_WEIGHT, DataType.float, [])
  const { gradients } = appendBackward(b, { loss, wrt: tensors.map((t) => t.name), seed: weight })
  b.output(loss, 'loss')
  const state: StateSlot[] = []
  b.scope('accumulate', () => {
    for (const t of tensors) {
      const acc = b.input(accumName(t.name), DataType.float, t.shape)
      b.output(b.add(acc, gradients.get(t.name)!, t.name), nextName(acc.name))
      state.push({ input: acc.name, output: nextName(acc.name), shape: t.shape })
    }
  })
  return { kind: 'accumulate', model: b.toModel(), trainable: tensors, state, batchInputs, scalarInputs: [GRAD_WEIGHT], metrics: ['loss'] }
}

/** Clipping and the optimizer update from gradient sums multiplied by grad_scale. */
export function buildApplyStep(forward: Model, options: TrainProgramOptions): TrainProgram {
  const tensors = trainTensors(forward, options)
  const b = GraphBuilder.create('apply', defaultOpset(forward) || DEFAULT_OPSET)
  const scale = b.input(GRAD_SCALE, DataType.float, [])
  const entries = tensors.map((t) => ({ name: t.name, param: b.input(t.name, DataType.float, t.shape), grad: b.input(accumName(t.name), DataType.float, t.shape), decay: t.decay }))
  const state = emitOptimizer(b, entries, options, scale)
  return { kind: 'apply', model: b.toModel(), trainable: tensors, state, batchInputs: tensors.map((t) => accumName(t.name)), scalarInputs: [GRAD_SCALE, LEARNING_RATE], metrics: ['grad_norm'] }
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
