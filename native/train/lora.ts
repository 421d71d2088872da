import { NashlabError } from '../api/errors'
import { normals } from '../models/normals'
import { GraphBuilder, nodeAttribute } from '../onnx/builder'
import { DataType } from '../onnx/dtype'
import { describeNode } from '../onnx/infer'
import type { Model, Node } from '../onnx/model'
import { makeTensor, tensorArray } from '../onnx/tensor'
import { Rng } from '../runtime/rng'

/**
 * LoRA (Hu et al.): a frozen weight W gets a trainable low-rank update, W + (α/r)·ΔW with
 * ΔW = down·up (W stored (K, N), applied as X·W) or ΔW = up·down (W stored (N, K), applied as
 * X·Wᵀ by Gemm transB). `down` meets the input first and starts random (N(0, 1/K)), `up` starts
 * at zero, so the adapted model starts equal to the base. Only the adapters are trained (small
 * transfers per step); `mergeLora` folds them into W for export.
 */
export interface LoraOptions {
  /** Weight initializers to adapt (inputs B of MatMul or Gemm nodes). */
  targets: readonly string[]
  /** Rank r. */
  rank: number
  /** α; the update is scaled by α/r (default α = r, scale 1). */
  alpha?: number
  seed?: number
}

export interface LoraAdapter {
  /** The adapted weight. */
  weight: string
  down: string
  up: string
  /** α/r. */
  scale: number
  /** Whether W is applied transposed (Gemm transB = 1). */
  transposed: boolean
}

export interface LoraModel {
  model: Model
  adapters: LoraAdapter[]
  /** The adapter tensors (train these). */
  trainable: string[]
}

function adaptedUse(model: Model, weight: string): { node: Node; transposed: boolean }[] {
  const uses = model.graph.nodes.filter((n) => n.inputs.includes(weight))
  return uses.map((node) => {
    const isB = node.inputs[1] === weight && node.inputs[0] !== weight
    if (!isB || (node.opType !== 'MatMul' && node.opType !== 'Gemm')) {
      throw new NashlabError('invalid_input', `LoRA can adapt "${weight}" only where it is the weight (input B) of MatMul or Gemm; ${describeNode(node)} uses it otherwise.`, { tensor: weight })
    }
    return { node, transposed: node.opType === 'Gemm' && nodeAttribute(node, 'transB') === 1 }
  })
}

/** Add rank-r adapters to the chosen weights; the base weights stay frozen initializers. */
export function addLora(model: Model, options: LoraOptions): LoraModel {
  const rng = Rng.fromSeed(options.seed ?? 1)
  const r = options.rank
  const scale = (options.alpha ?? r) / r
  const inits = new Map(model.graph.initializers.map((t) => [t.name, t]))
  const plans = options.targets.map((weight) => {
    const t = inits.get(weight)
    if (!t) throw new NashlabError('not_found', `LoRA target "${weight}" is not an initializer.`, { tensor: weight })
    if (t.dims.length !== 2 || t.dataType !== DataType.float) throw new NashlabError('invalid_input', `LoRA target "${weight}" must be a 2-D float32 matrix.`, { tensor: weight })
    const uses = adaptedUse(model, weight)
    const transposed = uses[0]?.transposed ?? false
    if (uses.some((u) => u.transposed !== transposed)) throw new NashlabError('invalid_input', `"${weight}" is used both transposed and not; LoRA needs one layout.`, { tensor: weight })
    return { weight, dims: t.dims, uses, transposed }
  })
  // Each use keeps its node; adapter nodes add the low-rank term, and the names are then swapped so
  // the original consumers read the adapted value: base output → "<out>.base", sum → "<out>".
  const b = GraphBuilder.edit(model)
  const adapters: LoraAdapter[] = []
  const renames: { node: Node; out: string; from: number; to: number }[] = []
  for (const p of plans) {
    const [rows, cols] = p.dims
    const inDim = p.transposed ? cols : rows
    const outDim = p.transposed ? rows : cols
    const downShape = p.transposed ? [r, inDim] : [inDim, r]
    const upShape = p.transposed ? [outDim, r] : [r, outDim]
    const down = b.initializer(`${p.weight}.lora.down`, DataType.float, downShape, normals(rng, inDim * r, 1 / Math.sqrt(inDim)))
    const up = b.initializer(`${p.weight}.lora.up`, DataType.float, upShape, new Float32Array(outDim * r))
    adapters.push({ weight: p.weight, down: down.name, up: up.name, scale, transposed: p.transposed })
    for (const u of p.uses) {
      const node = b.graph.nodes[model.graph.nodes.indexOf(u.node)]
      const out = node.outputs[0]
      const base = b.value(out)
      const x = b.value(node.inputs[0])
      const from = b.graph.nodes.length
      b.scope(`${node.name || out}.lora`, () => {
        const alpha = node.opType === 'Gemm' ? (nodeAttribute(node, 'alpha') as number) : 1
        const transA = node.opType === 'Gemm' && nodeAttribute(node, 'transA') === 1
        if (x.shape.length === 2) {
          const low = b.gemm(x, down, null, { transA, transB: p.transposed }, 'down')
          b.node('Gemm', [low, up, base], { alpha: alpha * scale, ...(p.transposed ? { transB: 1 } : {}) }, { name: 'up', outputs: [`${out}.adapted`] })
        } else {
          const low = b.matMul(x, down, 'down')
          const delta = b.mul(b.matMul(low, up, 'up'), b.scalar(scale), 'scaled')
          b.node('Add', [base, delta], {}, { name: 'add', outputs: [`${out}.adapted`] })
        }
      })
      renames.push({ node, out, from, to: b.graph.nodes.length })
    }
  }
  const result = b.toModel()
  for (const { node, out, from, to } of renames) {
    node.outputs[0] = `${out}.base`
    for (const n of result.graph.nodes.slice(from, to)) {
      n.inputs = n.inputs.map((i) => (i === out ? `${out}.base` : i))
      n.outputs = n.outputs.map((o) => (o === `${out}.adapted` ? out : o))
    }
  }
  return { model: { ...result, graph: { ...result.graph, nodes: sortNodes(result.graph.nodes, result) } }, adapters, trainable: adapters.flatMap((a) => [a.down, a.up]) }
}

function sortNodes(nodes: Node[], model: Model): Node[] {
  const produced = new Set([...model.graph.inputs.map((i) => i.name), ...model.graph.initializers.map((t) => t.name), ''])
  const pending = [...nodes]
  const out: Node[] = []
  while (pending.length) {
    const i = pending.findIndex((n) => n.inputs.every((x) => produced.has(x)))
    if (i === -1) throw new NashlabError('internal', 'LoRA rewiring left a node whose inputs are never produced.')
    const [n] = pending.splice(i, 1)
    out.push(n)
    for (const o of n.outputs) produced.add(o)
  }
  return out
}

/**
 * The base model with each adapted weight replaced by W + (α/r)·ΔW (adapter values from `values`,
 * e.g. a trainer's, or the LoRA model's initializers).
 */
export function mergeLora(base: Model, adapters: readonly LoraAdapter[], values: ReadonlyMap<string, Float32Array>): Model {
  const byWeight = new Map(adapters.map((a) => [a.weight, a]))
  const initializers = base.graph.initializers.map((t) => {
    const a = byWeight.get(t.name)
    if (!a) return t
    const w = Float32Array.from(tensorArray(t) as Float32Array)
    const down = values.get(a.down)
    const up = values.get(a.up)
    if (!down || !up) throw new NashlabError('not_found', `No values for the adapters of "${t.name}".`, { tensor: t.name })
    const [rows, cols] = t.dims
    const r = down.length / (a.transposed ? cols : rows)
    // ΔW[i][j] = Σₖ first[i][k]·second[k][j]: down·up (K×r · r×N), or up·down (N×r · r×K).
    const [first, second] = a.transposed ? [up, down] : [down, up]
    for (let i = 0; i < rows; i++) {
      for (let k = 0; k < r; k++) {
        const f = first[i * r + k] * a.scale
        if (f === 0) continue
        for (let j = 0; j < cols; j++) w[i * cols + j] += f * second[k * cols + j]
      }
    }
    return makeTensor(t.name, t.dataType, t.dims, w)
  })
  return { ...base, graph: { ...base.graph, initializers } }
}
