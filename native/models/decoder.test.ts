import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { encodeModel } from '../onnx/encode'
import { DecoderBatch } from '../generate/decoder-session'
import { SlotBatch } from '../generate/slot-batch'
import { ort } from '../runtime/ort'
import { createSession } from '../runtime/session'
import { resolveDecoderConfig, type DecoderConfigInput } from './config'
import { buildGpt } from './gpt'
import { GraphBuilder } from '../onnx/builder'
import { constantWeights, decoderTrunk, declareDecoderInputs, dimNames } from './decoder'
import { evalProgram, forwardProgram, generationProgram, MODEL_OPSET } from './programs'
import { initWeights, parameterCount, weightSpecs } from './weights'

const variants: [string, Partial<DecoderConfigInput>][] = [
  ['LayerNorm, GELU, learned positions, tied', {}],
  ['RMSNorm, SwiGLU, rotary positions, untied, no biases', { norm: 'rmsnorm', mlp: 'swiglu', positions: 'rotary', tiedEmbeddings: false, bias: false }],
  ['LayerNorm, tanh GELU, rotary, untied with biases', { positions: 'rotary', tiedEmbeddings: false, geluApproximation: 'tanh' }],
]
const base = { vocab: 40, dModel: 16, layers: 2, heads: 2, context: 24 }
const i64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [rows.length, rows[0].length])

/** Left-pad rows to one width: ids, mask and positions as the decoders take them. */
function leftPad(prompts: number[][]) {
  const width = Math.max(...prompts.map((p) => p.length))
  const pad = (p: number[], fill: (t: number) => number) => [...new Array<number>(width - p.length).fill(0), ...p.map((_, t) => fill(t))]
  return {
    ids: prompts.map((p) => pad(p, (t) => p[t])),
    mask: prompts.map((p) => pad(p, () => 1)),
    positions: prompts.map((p) => pad(p, (t) => t)),
  }
}

const prompts = [
  [3, 7, 9, 11, 2, 5],
  [1, 4],
  [8, 8, 30, 2],
]

describe.each(variants)('decoder (%s)', (_name, variant) => {
  const config = resolveDecoderConfig({ ...base, ...variant })
  const weights = initWeights(config, 7)

  it('has the documented weights and counts its parameters', () => {
    const names = weightSpecs(config).map((s) => s.name)
    expect(names[0]).toBe('wte')
    expect(names.includes('wpe')).toBe(config.positions === 'learned')
    expect(names.includes('head.weight')).toBe(!config.tiedEmbeddings)
    expect(names.includes('block1.mlp.gate.weight')).toBe(config.mlp === 'swiglu')
    expect(names.includes('block0.attn.qkv.bias')).toBe(config.bias)
    expect(parameterCount(config)).toBe([...weights.values()].reduce((n, w) => n + w.length, 0))
    // The same seed draws the same weights.
    expect(initWeights(config, 7).get('block0.attn.qkv.weight')).toEqual(weights.get('block0.attn.qkv.weight'))
  })

  it("agrees with gpt.ts's forward on the same weights (gpt.ts trains, this decoder generates)", async () => {
    const T = 6
    const gpt = buildGpt(config, { batch: 2, sequence: T, outputs: 'logits', weights })
    const theirs = (await createSession(encodeModel(gpt.model), { intraOpNumThreads: 1 })).session
    const ours = (await createSession(encodeModel(forwardProgram(config, weights)), { intraOpNumThreads: 1 })).session
    const rows = [[1, 2, 3, 4, 5, 6], [9, 8, 7, 6, 5, 4]]
    const a = (await theirs.run({ input_ids: i64(rows) })).logits.data as Float32Array
    const b = (await ours.run({ input_ids: i64(rows), attention_mask: i64(rows.map((r) => r.map(() => 1))), position_ids: i64(rows.map((r) => r.map((_, t) => t))) })).logits.data as Float32Array
    expect(maxDifference(a, b)).toBeLessThan(1e-5)
  })

  it('gives each left-padded row the logits it has alone, and the KV cache (both forms, and the one-position step program) the logits of the full forward', async () => {
    const full = (await createSession(encodeModel(forwardProgram(config, weights)), { intraOpNumThreads: 1 })).session
    const { ids, mask, positions } = leftPad(prompts)
    const batched = await full.run({ input_ids: i64(ids), attention_mask: i64(mask), position_ids: i64(positions) })
    const width = ids[0].length
    const V = config.vocab
    const data = batched.logits.data as Float32Array
    for (const [r, prompt] of prompts.entries()) {
      const alone = await full.run({ input_ids: i64([prompt]), attention_mask: i64([prompt.map(() => 1)]), position_ids: i64([prompt.map((_, t) => t)]) })
      const own = alone.logits.data as Float32Array
      const pad = width - prompt.length
      const row = data.subarray((r * width + pad) * V, (r + 1) * width * V)
      expect(maxDifference(row, own)).toBeLessThan(1e-5)
    }

    // Continue every row by the same three tokens, with each cache form, and compare with a full forward.
    const io = { layers: config.layers, kvHeads: config.heads, headSize: config.dModel / config.heads, vocabSize: V, positionIds: true, context: config.context }
    const concat = new DecoderBatch((await createSession(encodeModel(generationProgram(config, weights)), { intraOpNumThreads: 1 })).session, io)
    const slotSession = (await createSession(encodeModel(generationProgram(config, weights, { cache: 'slots', logits: 'last' })), { intraOpNumThreads: 1 })).session
    const slots = new SlotBatch(slotSession, io)
    // Steps on the one-position step program (the prefill still on the program above).
    const onePosition = (await createSession(encodeModel(generationProgram(config, weights, { cache: 'slots', logits: 'last', sequence: 'one' })), { intraOpNumThreads: 1 })).session
    const stepped = new SlotBatch(slotSession, io, {}, { session: onePosition, rows: prompts.length })
    const extra = [12, 0, 39]
    for (const batch of [concat, slots, stepped]) {
      const steps = [await batch.start(prompts, 1)]
      for (const token of extra) steps.push(await batch.step(prompts.map(() => token)))
      for (const [r, prompt] of prompts.entries()) {
        const sequence = [...prompt, ...extra]
        const reference = await full.run({ input_ids: i64([sequence]), attention_mask: i64([sequence.map(() => 1)]), position_ids: i64([sequence.map((_, t) => t)]) })
        const ref = reference.logits.data as Float32Array
        steps.forEach((logits, s) => {
          const t = prompt.length - 1 + s
          expect(maxDifference(logits.subarray(r * V, (r + 1) * V), ref.subarray(t * V, (t + 1) * V))).toBeLessThan(1e-5)
        })
      }
    }
  })

  it('computes, as a last-position trunk, the last position of the full trunk over left-padded rows', async () => {
    const trunk = (lastPosition: boolean) => {
      const b = GraphBuilder.create('trunk', MODEL_OPSET)
      const inputs = declareDecoderInputs(b, config, { batch: dimNames.batch, sequence: dimNames.sequence })
      const { hidden } = decoderTrunk(b, config, constantWeights(b, config, weights), inputs, { lastPosition })
      b.output(hidden, 'hidden')
      return createSession(encodeModel(b.toModel()), { intraOpNumThreads: 1 })
    }
    const { ids, mask, positions } = leftPad(prompts)
    const feeds = { input_ids: i64(ids), attention_mask: i64(mask), position_ids: i64(positions) }
    const full = (await (await trunk(false)).session.run(feeds)).hidden
    const last = (await (await trunk(true)).session.run(feeds)).hidden
    const [rows, width, D] = full.dims
    expect(last.dims).toEqual([rows, 1, D])
    for (let r = 0; r < rows; r++) {
      const want = (full.data as Float32Array).subarray((r * width + width - 1) * D, (r * width + width) * D)
      expect(maxDifference((last.data as Float32Array).subarray(r * D, (r + 1) * D), want)).toBeLessThan(1e-5)
    }
  })

  it('scores given next tokens: token_logprobs is the log-softmax entry of the target, entropy is −Σ p log p', async () => {
    const session = (await createSession(encodeModel(evalProgram(config, weights, { entropy: true })), { intraOpNumThreads: 1 })).session
    const full = (await createSession(encodeModel(forwardProgram(config, weights)), { intraOpNumThreads: 1 })).session
    const ids = [[5, 6, 7, 8]]
    const feeds = { input_ids: i64(ids), attention_mask: i64([[1, 1, 1, 1]]), position_ids: i64([[0, 1, 2, 3]]) }
    const targets = [[6, 7, 8, 0]]
    const out = await session.run({ ...feeds, targets: i64(targets) })
    const logits = (await full.run(feeds)).logits.data as Float32Array
    const V = config.vocab
    for (let t = 0; t < 4; t++) {
      const row = Array.from(logits.subarray(t * V, (t + 1) * V))
      const max = Math.max(...row)
      const lse = max + Math.log(row.reduce((s, z) => s + Math.exp(z - max), 0))
      expect((out.token_logprobs.data as Float32Array)[t]).toBeCloseTo(row[targets[0][t]] - lse, 5)
      const entropy = -row.reduce((s, z) => s + Math.exp(z - lse) * (z - lse), 0)
      expect((out.entropy.data as Float32Array)[t]).toBeCloseTo(entropy, 5)
    }
  })
})

const python = '/usr/bin/python3'
const hasTorch =
  fs.existsSync(python) &&
  (() => {
    try {
      execFileSync(python, ['-c', 'import torch'], { stdio: 'ignore' })
      return true
    } catch {
      return false
    }
  })()

describe.runIf(hasTorch)('decoder against an independent PyTorch implementation', () => {
  it('gives the logits PyTorch computes in float64, for every variant', async () => {
    const { ids, mask, positions } = leftPad(prompts)
    const cases = await Promise.all(
      variants.map(async ([, variant]) => {
        const config = resolveDecoderConfig({ ...base, ...variant })
        const weights = initWeights(config, 3)
        const full = (await createSession(encodeModel(forwardProgram(config, weights)), { intraOpNumThreads: 1 })).session
        const ours = (await full.run({ input_ids: i64(ids), attention_mask: i64(mask), position_ids: i64(positions) })).logits.data as Float32Array
        return { config, weights, ours }
      }),
    )
    const script = fileURLToPath(new URL('./fixtures/reference_decoder.py', import.meta.url))
    const input = JSON.stringify(cases.map(({ config, weights }) => ({ config, weights: Object.fromEntries([...weights].map(([k, v]) => [k, Array.from(v)])), input_ids: ids, attention_mask: mask, position_ids: positions })))
    const reference = JSON.parse(execFileSync(python, [script], { input, maxBuffer: 1 << 27 }).toString()) as { logits: number[][][] }[]
    const width = ids[0].length
    cases.forEach(({ config, ours }, k) => {
      for (const [r, prompt] of prompts.entries()) {
        // Padded positions are not compared (their values do not matter; only real tokens are read).
        for (let t = width - prompt.length; t < width; t++) {
          expect(maxDifference(ours.subarray((r * width + t) * config.vocab, (r * width + t + 1) * config.vocab), reference[k].logits[r][t])).toBeLessThan(1e-5)
        }
      }
    })
  })
})

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]))
  return max
}
