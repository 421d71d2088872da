import { appendFileSync } from 'node:fs'
import * as ort from 'onnxruntime-node'
import { GraphBuilder, type Value } from '../onnx/builder'
import { DataType, isFloat, ortTypeName, typedArrayClass, type TypedArray } from '../onnx/dtype'
import type { Dim, Model } from '../onnx/model'
import { cpuSession } from '../onnx/session'
import { Rng } from '../runtime/rng'
import { autodiff } from './autodiff'

/** One graph input of a gradient check: its shape, and optionally its type and values. */
export interface CheckInput {
  shape: number[]
  /** Element type (default: the check's float type). */
  dtype?: number
  /** Fixed values (default: standard normals, or `init` for each element). */
  data?: readonly number[]
  init?: (rng: Rng, index: number) => number
  /** Differentiate with respect to it (default: true for float inputs). */
  trained?: boolean
}

export interface GradientCheck {
  inputs: Record<string, CheckInput | number[]>
  /** Build the forward computation from the declared inputs; the result may have any shape. */
  build(b: GraphBuilder, x: Record<string, Value>): Value
  /** Float type of the check (default float64). */
  dtype?: number
  /** Finite-difference step (default 1e-6 in float64, 1e-2 in float32). */
  step?: number
  opset?: number
  seed?: number
  /** Label in the log written when NASHLAB_GRADCHECK_LOG names a file. */
  label?: string
}

export interface GradientCheckResult {
  /** max |analytic − numeric| / max |numeric| over each trained tensor; the worst tensor. */
  maxError: number
  errors: Record<string, number>
}

/** Append a check's errors to the file NASHLAB_GRADCHECK_LOG names (for reports); no-op otherwise. */
export function logCheck(label: string, kind: string, maxError: number, errors: Record<string, number>): void {
  const log = process.env.NASHLAB_GRADCHECK_LOG
  if (log) appendFileSync(log, `${JSON.stringify({ label, kind, maxError, errors })}\n`)
}

/**
 * Compare autodiff gradients with central finite differences, both through real ONNX Runtime
 * sessions. The checked scalar is Σ y ⊙ R with a fixed random R, so every output element gets a
 * different upstream gradient. Error per tensor: ‖g − ĝ‖∞ / ‖ĝ‖∞ (ĝ numeric).
 */
export async function checkGradient(check: GradientCheck): Promise<GradientCheckResult> {
  const dtype = check.dtype ?? DataType.double
  const rng = Rng.fromSeed(check.seed ?? 7)
  const b = GraphBuilder.create('gradcheck', check.opset)
  const feeds: Record<string, { dtype: number; shape: number[]; data: TypedArray }> = {}
  const values: Record<string, Value> = {}
  const trained: string[] = []
  for (const [name, spec0] of Object.entries(check.inputs)) {
    const spec: CheckInput = Array.isArray(spec0) ? { shape: spec0 } : spec0
    const t = spec.dtype ?? dtype
    const n = spec.shape.reduce((p, d) => p * d, 1)
    const raw = spec.data ?? Array.from({ length: n }, (_, i) => (spec.init ? spec.init(rng, i) : rng.normal()))
    const Cls = typedArrayClass(t) as unknown as { from(a: ArrayLike<number | bigint>): TypedArray }
    const data = t === DataType.int64 ? BigInt64Array.from(raw.map((v) => BigInt(v))) : Cls.from(raw)
    feeds[name] = { dtype: t, shape: spec.shape, data }
    values[name] = b.input(name, t, spec.shape as Dim[])
    if (isFloat(t) && spec.trained !== false) trained.push(name)
  }
  const y = check.build(b, values)
  const weights = b.constant(y.dtype, y.shape as number[], Array.from({ length: y.shape.reduce<number>((p, d) => p * (d as number), 1) }, () => rng.normal()), 'probe')
  const all = Array.from({ length: y.shape.length }, (_, i) => i)
  const weighted = b.mul(y, weights, 'probe.mul')
  b.output(all.length ? b.reduceSum(weighted, all, false, 'probe.sum') : weighted, 'loss')
  const forward = b.toModel()
  const { model } = autodiff(forward, { loss: 'loss', wrt: trained })

  const forwardSession = await cpuSession(forward, { intraOpNumThreads: 1, graphOptimizationLevel: 'disabled' })
  const gradSession = await cpuSession(model, { intraOpNumThreads: 1 })
  const tensor = (name: string, data = feeds[name].data) => new ort.Tensor(ortTypeName(feeds[name].dtype) as 'float32', data as Float32Array, feeds[name].shape)
  const feedAll = () => Object.fromEntries(Object.keys(feeds).map((k) => [k, tensor(k)]))
  const analytic = await gradSession.run(feedAll())
  const lossAt = async (name: string, data: TypedArray) => {
    const out = await forwardSession.run({ ...feedAll(), [name]: tensor(name, data) })
    return Number((out.loss.data as Float64Array)[0])
  }

  const step = check.step ?? (dtype === DataType.double ? 1e-6 : 1e-2)
  const errors: Record<string, number> = {}
  for (const name of trained) {
    const base = feeds[name].data as Float64Array
    const g = analytic[`${name}_grad`].data as Float64Array
    const probe = base.slice() as Float64Array
    let maxDiff = 0
    let maxNumeric = 0
    for (let i = 0; i < base.length; i++) {
      const h = step * Math.max(1, Math.abs(base[i]))
      // The step actually taken, after rounding to the element type.
      probe[i] = base[i] + h
      const hi = probe[i]
      const up = await lossAt(name, probe)
      probe[i] = base[i] - h
      const lo = probe[i]
      const down = await lossAt(name, probe)
      probe[i] = base[i]
      const numeric = (up - down) / (hi - lo)
      maxDiff = Math.max(maxDiff, Math.abs(g[i] - numeric))
      maxNumeric = Math.max(maxNumeric, Math.abs(numeric))
    }
    errors[name] = maxNumeric > 0 ? maxDiff / maxNumeric : maxDiff
  }
  const maxError = Math.max(0, ...Object.values(errors))
  logCheck(check.label ?? '', dtype === DataType.double ? 'float64' : 'float32', maxError, errors)
  return { maxError, errors }
}

export interface ModelCheckOptions {
  loss: string
  /** Trained tensors (initializers of `model`). */
  wrt: readonly string[]
  /** Feeds for the model's other inputs. */
  feeds: Record<string, ort.Tensor>
  /** Finite-difference step along each direction (default 1e-5). */
  step?: number
  seed?: number
  label?: string
}

/**
 * Whole-model check by directional derivatives: for each trained tensor θ, a random unit
 * direction u, and (L(θ + h·u) − L(θ − h·u)) / 2h against ⟨∇θ L, u⟩. Two forward runs per tensor
 * instead of two per element, so a full model is checked in a moment. Error per tensor:
 * |analytic − numeric| / max(|numeric|, 1e-3·‖∇θ L‖₂·‖u‖₂) (the floor guards directions nearly
 * orthogonal to the gradient).
 */
export async function checkModelGradients(model: Model, options: ModelCheckOptions): Promise<GradientCheckResult> {
  const rng = Rng.fromSeed(options.seed ?? 11)
  const initial = new Map(model.graph.initializers.map((t) => [t.name, t]))
  const { model: withGrads } = autodiff(model, { loss: options.loss, wrt: options.wrt })
  // The forward graph with the same tensors as inputs, so perturbed values can be fed.
  const { model: forward } = autodiff(model, { loss: options.loss, wrt: options.wrt, suffix: '_unused' })
  forward.graph.outputs = forward.graph.outputs.filter((o) => o.name === options.loss)
  const gradSession = await cpuSession(withGrads, { intraOpNumThreads: 1 })
  const forwardSession = await cpuSession(forward, { intraOpNumThreads: 1, graphOptimizationLevel: 'disabled' })
  const params: Record<string, ort.Tensor> = {}
  for (const name of options.wrt) {
    const t = initial.get(name)
    if (!t) throw new Error(`Tensor "${name}" is not an initializer of the model.`)
    const Cls = typedArrayClass(t.dataType) as unknown as { new (b: ArrayBufferLike, o: number, n: number): TypedArray }
    const values = new Cls(t.data!.slice().buffer, 0, t.data!.byteLength / (t.dataType === DataType.double ? 8 : 4))
    params[name] = new ort.Tensor(ortTypeName(t.dataType) as 'float32', values as Float32Array, t.dims)
  }
  const analytic = await gradSession.run({ ...options.feeds, ...params })
  const step = options.step ?? 1e-5
  const errors: Record<string, number> = {}
  for (const name of options.wrt) {
    const base = params[name].data as Float64Array
    const g = analytic[`${name}_grad`].data as Float64Array
    // A random unit direction: the step h is then the distance moved in parameter space.
    const u = Float64Array.from({ length: base.length }, () => rng.normal())
    const length = Math.hypot(...u)
    for (let i = 0; i < u.length; i++) u[i] /= length
    let dot = 0
    let gNorm = 0
    let uNorm = 0
    for (let i = 0; i < base.length; i++) {
      dot += g[i] * u[i]
      gNorm += g[i] * g[i]
      uNorm += u[i] * u[i]
    }
    const shifted = (sign: number) => {
      const v = base.slice() as Float64Array
      for (let i = 0; i < v.length; i++) v[i] += sign * step * u[i]
      return new ort.Tensor(params[name].type as 'float32', v as unknown as Float32Array, params[name].dims)
    }
    const up = Number((await forwardSession.run({ ...options.feeds, ...params, [name]: shifted(1) }))[options.loss].data[0])
    const down = Number((await forwardSession.run({ ...options.feeds, ...params, [name]: shifted(-1) }))[options.loss].data[0])
    const numeric = (up - down) / (2 * step)
    errors[name] = Math.abs(dot - numeric) / Math.max(Math.abs(numeric), 1e-3 * Math.sqrt(gNorm * uNorm), 1e-300)
  }
  const maxError = Math.max(0, ...Object.values(errors))
  logCheck(options.label ?? 'model', 'directional', maxError, errors)
  return { maxError, errors }
}
