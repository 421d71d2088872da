import * as ort from 'onnxruntime-node'
import { normals } from '../models/normals'
import { describe, expect, it } from 'vitest'
import { autodiff } from '../autodiff/autodiff'
import { buildGpt } from '../models/gpt'
import { Rng } from '../runtime/rng'
import { GraphBuilder } from '../onnx/builder'
import { DataType } from '../onnx/dtype'
import { cpuSession } from '../onnx/session'
import { tensorArray } from '../onnx/tensor'
import { listDevices } from '../runtime/probe'
import { adamwDefaults, type AdamWConfig } from './optimizer'
import { Trainer, type Feeds } from './trainer'

/** y = x·W + c, loss = mean((y − t)²): small enough to check the optimizer against plain JS. */
function regression() {
  const rng = Rng.fromSeed(4)
  const b = GraphBuilder.create('regression')
  const x = b.input('x', DataType.float, [8, 3])
  const t = b.input('t', DataType.float, [8, 2])
  const w = b.initializer('w', DataType.float, [3, 2], normals(rng, 6))
  const c = b.initializer('c', DataType.float, [2], normals(rng, 2))
  const diff = b.sub(b.add(b.matMul(x, w), c), t)
  b.output(b.reduceMean(b.mul(diff, diff), [0, 1], false, 'mse'), 'loss')
  const feeds: Feeds = {
    x: new ort.Tensor('float32', normals(rng, 24), [8, 3]),
    t: new ort.Tensor('float32', normals(rng, 16), [8, 2]),
  }
  return { model: b.toModel(), feeds }
}

/** PyTorch's clip_grad_norm_ followed by torch.optim.AdamW, one step, in float64 JS. */
function referenceAdamW(params: Map<string, Float64Array>, grads: Map<string, Float64Array>, state: { m: Map<string, Float64Array>; v: Map<string, Float64Array>; t: number }, lr: number, o: AdamWConfig, clipNorm: number, decay: (n: string) => boolean) {
  let total = 0
  for (const g of grads.values()) for (const e of g) total += e * e
  const norm = Math.sqrt(total)
  const clip = Math.min(1, clipNorm / (norm + 1e-6))
  state.t += 1
  for (const [name, p] of params) {
    const g = grads.get(name)!
    const m = state.m.get(name)!
    const v = state.v.get(name)!
    const bc1 = 1 - o.beta1 ** state.t
    const bc2 = 1 - o.beta2 ** state.t
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] * clip
      if (decay(name)) p[i] *= 1 - lr * o.weightDecay
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * gi
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * gi * gi
      p[i] -= (lr / bc1) * (m[i] / (Math.sqrt(v[i] / bc2) + o.epsilon))
    }
  }
  return norm
}

function tokenBatch(rng: Rng, batch: number, sequence: number, vocab: number, ignoreEvery = 0): Feeds {
  const ids = BigInt64Array.from({ length: batch * sequence }, () => BigInt(rng.below(vocab)))
  const targets = BigInt64Array.from({ length: batch * sequence }, (_, i) => (ignoreEvery && i % ignoreEvery === 0 ? -100n : BigInt(rng.below(vocab))))
  return { input_ids: new ort.Tensor('int64', ids, [batch, sequence]), targets: new ort.Tensor('int64', targets, [batch, sequence]) }
}

describe('train-step programs', () => {
  it('match a reference JS AdamW (decoupled decay, bias correction, clipping) step by step', async () => {
    const { model, feeds } = regression()
    const optimizer: AdamWConfig = { ...adamwDefaults, weightDecay: 0.1 }
    const trainer = await Trainer.create(model, { loss: 'loss', optimizer, clipNorm: 0.5 })
    expect(trainer.program.model.graph.nodes.some((n) => n.name === 'adamw.m')).toBe(true)
    const { model: gradModel } = autodiff(model, { loss: 'loss', wrt: ['w', 'c'] })
    const grads = await cpuSession(gradModel)
    const params = new Map(model.graph.initializers.filter((t) => t.name === 'w' || t.name === 'c').map((t) => [t.name, Float64Array.from(tensorArray(t) as Float32Array)]))
    const state = { m: new Map([...params].map(([k, v]) => [k, new Float64Array(v.length)])), v: new Map([...params].map(([k, v]) => [k, new Float64Array(v.length)])), t: 0 }
    const lrs = [1e-2, 5e-3, 2e-2, 1e-2]
    for (const lr of lrs) {
      const current = Object.fromEntries([...params].map(([k, v]) => [k, new ort.Tensor('float32', Float32Array.from(v), k === 'w' ? [3, 2] : [2])]))
      const g = await grads.run({ ...feeds, ...current })
      const norm = referenceAdamW(params, new Map([['w', Float64Array.from(g.w_grad.data as Float32Array)], ['c', Float64Array.from(g.c_grad.data as Float32Array)]]), state, lr, optimizer, 0.5, (n) => n === 'w')
      const result = await trainer.step(feeds, lr)
      expect(result.gradNorm).toBeCloseTo(norm, 4)
      for (const [name, p] of params) {
        const got = trainer.values.get(name)!
        for (let i = 0; i < p.length; i++) expect(Math.abs(got[i] - p[i])).toBeLessThan(2e-6 * Math.max(1, Math.abs(p[i])))
      }
    }
    expect(Array.from(trainer.values.get('adamw.step')!)).toEqual([4])
  })

  it('normalise accumulated micro-batches over the effective batch (equal to one big batch)', async () => {
    const config = { vocab: 13, dModel: 16, layers: 1, heads: 2, context: 6 }
    const rng = Rng.fromSeed(8)
    const full = tokenBatch(rng, 4, 6, 13, 5)
    const ids = full.input_ids.data as BigInt64Array
    const targets = full.targets.data as BigInt64Array
    const half = (k: number): Feeds => ({
      input_ids: new ort.Tensor('int64', ids.slice(k * 12, (k + 1) * 12), [2, 6]),
      targets: new ort.Tensor('int64', targets.slice(k * 12, (k + 1) * 12), [2, 6]),
    })
    const counted = [0, 1].map((k) => Array.from(targets.slice(k * 12, (k + 1) * 12)).filter((t) => t !== -100n).length)
    expect(counted[0]).not.toBe(counted[1])
    const sgd = { kind: 'sgd', momentum: 0.9, weightDecay: 0.01 } as const
    const one = await Trainer.create(buildGpt(config, { batch: 4, sequence: 6, outputs: 'loss' }).model, { loss: 'loss', optimizer: sgd, clipNorm: 1 })
    const acc = await Trainer.create(buildGpt(config, { batch: 2, sequence: 6, outputs: 'loss' }).model, { loss: 'loss', optimizer: sgd, clipNorm: 1, accumulation: 2 })
    for (let step = 0; step < 2; step++) {
      const a = await one.step(full, 0.1)
      const b = await acc.step([half(0), half(1)], 0.1, counted)
      expect(b.loss).toBeCloseTo(a.loss, 5)
      expect(b.gradNorm).toBeCloseTo(a.gradNorm, 5)
    }
    for (const t of one.program.trainable) {
      const x = one.values.get(t.name)!
      const y = acc.values.get(t.name)!
      for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThan(1e-5)
    }
  })

  it('train a tiny GPT: the loss goes down, and eval runs as a separate program', async () => {
    const { model, params } = buildGpt({ vocab: 16, dModel: 32, layers: 2, heads: 2, context: 16 }, { batch: 4, sequence: 16, outputs: 'both' })
    const trainer = await Trainer.create(model, { loss: 'loss', optimizer: { ...adamwDefaults, weightDecay: 0.1 }, clipNorm: 1 })
    // Every float initializer of a built model is a weight (constants are Constant nodes).
    expect(trainer.program.trainable.map((t) => [t.name, t.decay])).toEqual(params.map((p) => [p.name, p.decay]))
    // A learnable stream: each token is the previous one plus 3 (mod 16).
    const ids = BigInt64Array.from({ length: 64 }, (_, i) => BigInt((Math.floor(i / 16) * 5 + 3 * (i % 16)) % 16))
    const targets = BigInt64Array.from({ length: 64 }, (_, i) => (ids[i] + 3n) % 16n)
    const batch = { input_ids: new ort.Tensor('int64', ids, [4, 16]), targets: new ort.Tensor('int64', targets, [4, 16]) }
    const before = Number((await trainer.evaluate(batch)).loss.data[0])
    const first = await trainer.step(batch, 3e-3)
    expect(first.loss).toBeCloseTo(before, 5)
    let last = first.loss
    for (let s = 0; s < 40; s++) last = (await trainer.step(batch, 3e-3)).loss
    const after = await trainer.evaluate(batch, ['loss', 'logits'])
    expect(last).toBeLessThan(0.3 * first.loss)
    expect(Number(after.loss.data[0])).toBeLessThan(0.3 * first.loss)
    expect(after.logits.dims).toEqual([64, 16])
    // The trained checkpoint is a plain forward graph with the new weights inside.
    const exported = await cpuSession(trainer.trainedModel())
    expect(Number((await exported.run(batch)).loss.data[0])).toBeCloseTo(Number(after.loss.data[0]), 5)
  })

  it('run on the device the run asks for, and fall back to the CPU with a warning when it cannot start', async () => {
    const { model, feeds } = regression()
    const cuda = (await listDevices()).providers.find((p) => p.provider === 'cuda')!
    for (const accumulation of [1, 2]) {
      const trainer = await Trainer.create(model, { loss: 'loss', optimizer: adamwDefaults, accumulation, session: { provider: 'cuda', intraOpNumThreads: 1 } })
      if (cuda.usable) {
        expect(trainer.provider).toBe('cuda')
        expect(trainer.warnings).toEqual([])
      } else {
        expect(trainer.provider).toBe('cpu')
        expect(trainer.warnings).toHaveLength(1)
        expect(trainer.warnings[0]).toMatch(/^CUDA \(NVIDIA\) is not usable here, so the train step runs on the CPU\./)
      }
      const before = Number((await trainer.evaluate(feeds)).loss.data[0])
      const step = await trainer.step(accumulation === 1 ? feeds : [feeds, feeds], 1e-2)
      expect(step.loss).toBeCloseTo(before, 5)
      expect(Number((await trainer.evaluate(feeds)).loss.data[0])).toBeLessThan(before)
      // Every program of the trainer (step or accumulate and apply, evaluation) says the same sentence once.
      expect(trainer.warnings).toHaveLength(cuda.usable ? 0 : 1)
    }
  })
})
