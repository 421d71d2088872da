import { describe, expect, it } from 'vitest'
import { resolveDecoderConfig } from '../models/config'
import { generationProgram } from '../models/programs'
import { initWeights } from '../models/weights'
import { encodeModel } from '../onnx/encode'
import { createSession } from '../runtime/session'
import { DecoderBatch } from './decoder-session'
import { SLOT_CHUNK, SlotBatch } from './slot-batch'

// Rotary positions and RMSNorm: keys are stored after the rotation, so a slot moved to the wrong place shows.
const config = resolveDecoderConfig({ vocab: 40, dModel: 16, layers: 2, heads: 2, context: 64, norm: 'rmsnorm', mlp: 'swiglu', positions: 'rotary' })
const io = { layers: 2, kvHeads: 2, headSize: 8, vocabSize: 40, positionIds: true, context: 64 }
const prompts = [[3, 7, 9, 11, 2, 5], [1, 4], [8, 8, 30, 2]]
const STEPS = 2 * SLOT_CHUNK + 5

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length)
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]))
  return worst
}

describe('slot batch', () => {
  it('gives the standard cache’s logits at every step while its fed slots widen in place and its room grows', async () => {
    const weights = initWeights(config, 5)
    const one = { intraOpNumThreads: 1 }
    const standard = (await createSession(encodeModel(generationProgram(config, weights)), one)).session
    const slots = (await createSession(encodeModel(generationProgram(config, weights, { cache: 'slots', logits: 'last' })), one)).session
    const step = (await createSession(encodeModel(generationProgram(config, weights, { cache: 'slots', logits: 'last', sequence: 'one' })), one)).session
    const tokens = Array.from({ length: STEPS }, (_, s) => (s * 7 + 3) % 40)
    // Room for every step (widened in place only), room for 10 (grown twice), and steps on the any-length program.
    const batches: [string, SlotBatch, number][] = [
      ['room for all', new SlotBatch(slots, io, {}, { session: step, rows: 3 }), STEPS],
      ['room grown', new SlotBatch(slots, io, {}, { session: step, rows: 3 }), 10],
      ['any-length steps', new SlotBatch(slots, io), STEPS],
    ]
    const reference = new DecoderBatch(standard, io)
    const want = [await reference.start(prompts)]
    for (const token of tokens) want.push(await reference.step(prompts.map(() => token)))
    for (const [name, batch, reserve] of batches) {
      const got = [await batch.start(prompts, reserve)]
      for (const token of tokens) got.push(await batch.step(prompts.map(() => token)))
      got.forEach((logits, s) => expect(maxDifference(logits, want[s]), `${name}, step ${s}`).toBeLessThan(1e-5))
      expect(batch.length).toBe(6 + STEPS)
    }
    await Promise.all([standard.release(), slots.release(), step.release()])
  })
})
