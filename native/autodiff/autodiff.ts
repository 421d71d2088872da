import { NashlabError } from '../api/errors'
import { GraphBuilder } from '../onnx/builder'
import { isFloat } from '../onnx/dtype'
import { defaultOpset, tensorValueInfo, type Model } from '../onnx/model'
import { appendBackward } from './backward'

export interface AutodiffOptions {
  /** Name of the scalar loss output. */
  loss: string
  /** Tensors to differentiate with respect to (graph inputs or initializers), or 'all' float initializers. */
  wrt: readonly string[] | 'all'
  /** Tensors through which no gradient flows. */
  stopGradient?: readonly string[]
  /** Sizes for symbolic input dims (e.g. { batch: 2, sequence: 16 }). */
  dims?: Record<string, number>
  /** Suffix of the gradient outputs (default `_grad`). */
  suffix?: string
}

export interface GradientOutput {
  tensor: string
  gradient: string
  shape: (number | string | null)[]
  /** False when the loss does not depend on the tensor (its gradient output is zeros). */
  reached: boolean
}

export interface AutodiffResult {
  model: Model
  gradients: GradientOutput[]
  /** Set when the ai.onnx opset had to be raised for the gradient ops (e.g. ScatterND add needs 16). */
  opsetRaised?: { from: number; to: number }
}

/** Opsets from 13 up to 17 have the same semantics for every op Nashlab reads, so raising within them is safe. */
const SAFE_RAISE_FROM = 13

/**
 * A model that computes what `model` does plus the gradient of the scalar output `loss` with respect
 * to each `wrt` tensor, as extra outputs `<name>_grad`. Trained initializers become graph inputs of
 * the same name (ONNX Runtime cannot feed an initializer); the original inputs and outputs stay.
 */
export function autodiff(model: Model, options: AutodiffOptions): AutodiffResult {
  const graph = model.graph
  const floatInitializers = graph.initializers.filter((t) => isFloat(t.dataType)).map((t) => t.name)
  const wrt = options.wrt === 'all' ? floatInitializers : [...options.wrt]
  if (wrt.length === 0) throw new NashlabError('invalid_input', 'Nothing to differentiate: --wrt names no tensor (and the model has no float initializers).')
  const known = new Set([...graph.initializers.map((t) => t.name), ...graph.inputs.map((i) => i.name)])
  for (const w of wrt) {
    if (!known.has(w)) throw new NashlabError('not_found', `Tensor "${w}" is neither a graph input nor an initializer of the model.`, { tensor: w })
  }
  if (!graph.outputs.some((o) => o.name === options.loss) && !graph.nodes.some((n) => n.outputs.includes(options.loss))) {
    throw new NashlabError('not_found', `The model has no tensor named "${options.loss}" to use as the loss.`, { tensor: options.loss })
  }
  try {
    return build(model, options, wrt)
  } catch (error) {
    const required = error instanceof NashlabError ? (error.details?.requiredOpset as number | undefined) : undefined
    const from = defaultOpset(model)
    if (!required || from < SAFE_RAISE_FROM || from >= required) throw error
    const raised: Model = { ...model, opsetImport: model.opsetImport.map((o) => (o.domain === '' || o.domain === 'ai.onnx' ? { ...o, version: required } : o)), irVersion: Math.max(model.irVersion, 8) }
    return { ...build(raised, options, wrt), opsetRaised: { from, to: required } }
  }
}

function build(model: Model, options: AutodiffOptions, wrt: string[]): AutodiffResult {
  const b = GraphBuilder.edit(promoteToInputs(model, wrt), { dims: options.dims })
  const loss = b.value(options.loss)
  const { gradients, unreached } = appendBackward(b, { loss, wrt, stopGradient: options.stopGradient })
  const suffix = options.suffix ?? '_grad'
  const outputs: GradientOutput[] = wrt.map((w) => {
    const name = `${w}${suffix}`
    const g = b.output(gradients.get(w)!, name)
    return { tensor: w, gradient: name, shape: g.shape, reached: !unreached.includes(w) }
  })
  return { model: b.toModel(), gradients: outputs }
}

/**
 * The model with the named initializers turned into graph inputs of the same name (ONNX Runtime
 * cannot feed an initializer, so trained tensors must be plain inputs). An initializer that was
 * also declared as an input keeps one declaration.
 */
export function promoteToInputs(model: Model, names: readonly string[]): Model {
  const promoted = new Set(names)
  const moved = model.graph.initializers.filter((t) => promoted.has(t.name))
  const movedNames = new Set(moved.map((t) => t.name))
  return {
    ...model,
    graph: {
      ...model.graph,
      initializers: model.graph.initializers.filter((t) => !movedNames.has(t.name)),
      inputs: [...model.graph.inputs.filter((i) => !movedNames.has(i.name)), ...moved.map((t) => tensorValueInfo(t.name, t.dataType, t.dims))],
    },
  }
}
