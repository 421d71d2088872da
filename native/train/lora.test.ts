import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { buildGpt } from '../models/gpt'
import { Rng } from '../runtime/rng'
import { cpuSession } from '../onnx/session'
import { tensorArray } from '../onnx/tensor'
import { addLora, mergeLora } from './lora'
import { adamwDefaults } from './optimizer'
import { Trainer } from './trainer'

describe('LoRA', () => {
  it('trains only the adapters and merges into identical logits', async () => {
    const config = { vocab: 16, dModel: 16, layers: 2, heads: 2, context: 8 }
    const { model: base } = buildGpt(config, { batch: 2, sequence: 8, outputs: 'both', seed: 3 })
    const targets = ['block0.attn.qkv.weight', 'block1.mlp.fc.weight', 'wte'] // wte is the tied head (Gemm transB) and also a Gather table
    expect(() => addLora(base, { targets, rank: 4 })).toThrow('only where it is the weight (input B) of MatMul or Gemm')
    const lora = addLora(base, { targets: targets.slice(0, 2), rank: 4, alpha: 8 })
    expect(lora.trainable).toEqual(['block0.attn.qkv.weight.lora.down', 'block0.attn.qkv.weight.lora.up', 'block1.mlp.fc.weight.lora.down', 'block1.mlp.fc.weight.lora.up'])
    const rng = Rng.fromSeed(2)
    const ids = BigInt64Array.from({ length: 16 }, () => BigInt(rng.below(16)))
    const batch = { input_ids: new ort.Tensor('int64', ids, [2, 8]), targets: new ort.Tensor('int64', BigInt64Array.from(ids, (v) => (v + 1n) % 16n), [2, 8]) }
    // Zero `up` at the start: the adapted model equals the base.
    const baseLogits = (await (await cpuSession(base)).run(batch)).logits.data as Float32Array
    const startLogits = (await (await cpuSession(lora.model)).run(batch)).logits.data as Float32Array
    expect(Math.max(...startLogits.map((v, i) => Math.abs(v - baseLogits[i])))).toBeLessThan(1e-6)

    const trainer = await Trainer.create(lora.model, { loss: 'loss', trainable: lora.trainable, optimizer: adamwDefaults })
    expect(trainer.program.trainable.map((t) => t.name)).toEqual(lora.trainable)
    expect(trainer.program.model.graph.initializers.some((t) => t.name === 'block0.attn.qkv.weight')).toBe(true) // frozen: stays an initializer
    const first = await trainer.step(batch, 1e-2)
    let loss = first.loss
    for (let s = 0; s < 15; s++) loss = (await trainer.step(batch, 1e-2)).loss
    expect(loss).toBeLessThan(first.loss)

    const trained = trainer.trainedModel()
    const adapted = (await (await cpuSession(trained)).run(batch)).logits.data as Float32Array
    const merged = mergeLora(base, lora.adapters, trainer.values)
    expect(merged.graph.initializers.map((t) => t.name)).toEqual(base.graph.initializers.map((t) => t.name))
    const mergedLogits = (await (await cpuSession(merged)).run(batch)).logits.data as Float32Array
    let diff = 0
    let moved = 0
    for (let i = 0; i < adapted.length; i++) {
      diff = Math.max(diff, Math.abs(adapted[i] - mergedLogits[i]))
      moved = Math.max(moved, Math.abs(adapted[i] - baseLogits[i]))
    }
    expect(moved).toBeGreaterThan(1e-2)
    expect(diff).toBeLessThan(1e-5)
    const w = tensorArray(merged.graph.initializers.find((t) => t.name === 'block1.mlp.fc.weight')!)
    expect(w).not.toEqual(tensorArray(base.graph.initializers.find((t) => t.name === 'block1.mlp.fc.weight')!))
  })
})
