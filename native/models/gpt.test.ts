import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { autodiff } from '../autodiff/autodiff'
import { checkModelGradients } from '../autodiff/gradcheck'
import { DataType } from '../onnx/dtype'
import { cpuSession } from '../onnx/session'
import { buildGpt, gptDefaults, gptParameterCount, gptParams, initGptWeights, type GptConfig } from './gpt'
import { Rng } from '../runtime/rng'

const B = 2
const T = 5

function batch(vocab: number, seed = 3) {
  const rng = Rng.fromSeed(seed)
  const ids = BigInt64Array.from({ length: B * T }, () => BigInt(rng.below(vocab)))
  const targets = BigInt64Array.from({ length: B * T }, (_, i) => (i === 3 ? -100n : BigInt(rng.below(vocab))))
  return { input_ids: new ort.Tensor('int64', ids, [B, T]), targets: new ort.Tensor('int64', targets, [B, T]) }
}

const tiny: Partial<GptConfig> = { vocab: 11, dModel: 8, layers: 2, heads: 2, context: 6, geluApproximation: 'tanh', initStd: 0.3 }

describe('tiny GPT: whole-model gradients', () => {
  it('matches directional finite differences in float64 (LayerNorm, GELU MLP, learned positions, tied head)', async () => {
    const { model, params } = buildGpt(tiny, { batch: B, sequence: T, outputs: 'loss', dtype: DataType.double })
    const r = await checkModelGradients(model, { label: 'gpt.layernorm.gelu.learned.tied', loss: 'loss', wrt: params.map((p) => p.name), feeds: batch(11) })
    expect(Object.keys(r.errors)).toHaveLength(params.length)
    expect(r.maxError).toBeLessThan(1e-6)
  })

  it('matches directional finite differences in float64 (RMSNorm, SwiGLU, rotary, untied head, no biases)', async () => {
    const config = { ...tiny, norm: 'rmsnorm', mlp: 'swiglu', positions: 'rotary', tiedEmbeddings: false, bias: false } as const
    const { model, params } = buildGpt(config, { batch: B, sequence: T, outputs: 'loss', dtype: DataType.double })
    expect(params.map((p) => p.name)).toContain('block1.mlp.gate.weight')
    const r = await checkModelGradients(model, { label: 'gpt.rmsnorm.swiglu.rotary.untied', loss: 'loss', wrt: params.map((p) => p.name), feeds: batch(11) })
    expect(r.maxError).toBeLessThan(1e-6)
  })

  it('gives the same gradients with fused LayerNormalization and Gelu ops in float32 as the decomposed float64 graph', async () => {
    const weights = initGptWeights({ ...gptDefaults, ...tiny }, 5)
    const feeds = batch(11, 9)
    const run = async (dtype: number) => {
      const { model, params } = buildGpt(tiny, { batch: B, sequence: T, outputs: 'loss', dtype, weights })
      const names = params.map((p) => p.name)
      const ops = new Set(model.graph.nodes.map((n) => n.opType))
      const { model: grads } = autodiff(model, { loss: 'loss', wrt: names })
      const inputs: Record<string, ort.Tensor> = { ...feeds }
      for (const p of params) {
        const v = weights.get(p.name)!
        inputs[p.name] = dtype === DataType.double ? new ort.Tensor('float64', Float64Array.from(v), p.shape) : new ort.Tensor('float32', v, p.shape)
      }
      const out = await (await cpuSession(grads)).run(inputs)
      return { ops, names, out }
    }
    const fused = await run(DataType.float)
    const exact = await run(DataType.double)
    expect(fused.ops.has('LayerNormalization') && fused.ops.has('Gelu')).toBe(true)
    expect(exact.ops.has('LayerNormalization')).toBe(false)
    expect(Number(fused.out.loss.data[0])).toBeCloseTo(Number(exact.out.loss.data[0]), 5)
    for (const name of fused.names) {
      const a = fused.out[`${name}_grad`].data as Float32Array
      const e = exact.out[`${name}_grad`].data as Float64Array
      let diff = 0
      let scale = 0
      for (let i = 0; i < a.length; i++) {
        diff = Math.max(diff, Math.abs(a[i] - e[i]))
        scale = Math.max(scale, Math.abs(e[i]))
      }
      expect({ name, error: diff / scale < 1e-4 }).toEqual({ name, error: true })
    }
  })

  it('counts parameters and names them readably', () => {
    const c = { vocab: 256, dModel: 128, layers: 4, heads: 4, context: 128 }
    expect(gptParameterCount({ ...(c as GptConfig), norm: 'layernorm', mlp: 'gelu', positions: 'learned', tiedEmbeddings: true, bias: true } as GptConfig)).toBe(
      256 * 128 + 128 * 128 + 4 * (4 * 128 + 128 * 384 + 384 + 128 * 128 + 128 + 128 * 512 + 512 + 512 * 128 + 128) + 2 * 128,
    )
    const { model } = buildGpt(c, { batch: 1, sequence: 8, outputs: 'logits' })
    const names = model.graph.nodes.map((n) => n.name)
    expect(names).toContain('block3.attn.qk')
    expect(names).toContain('block0.mlp.gelu')
    expect(gptParams({ ...(c as GptConfig), positions: 'rotary' } as GptConfig).some((p) => p.name === 'wpe')).toBe(false)
  })
})
