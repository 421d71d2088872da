import { describe, expect, it } from 'vitest'
import { NashlabError } from '../api/errors'
import { resolveDecoderConfig } from '../models/config'
import { initWeights } from '../models/weights'
import { Rng } from '../runtime/rng'
import type { DecoderRows } from './decoder-session'
import { runLoop } from './loop'
import { PROBE_EVERY_BATCHES, ParallelMixture, type ParallelMember } from './parallel-mixture'
import { NativeRunner, narrowStepRows } from './runner'

const vocab = 40
const configs = [
  resolveDecoderConfig({ vocab, dModel: 16, layers: 2, heads: 2, context: 40 }),
  // Other shapes of decoder over the same vocabulary: their own layers, heads, norm, MLP and positions.
  resolveDecoderConfig({ vocab, dModel: 24, layers: 1, heads: 3, context: 32, norm: 'rmsnorm', mlp: 'swiglu', positions: 'rotary' }),
  resolveDecoderConfig({ vocab, dModel: 8, layers: 3, heads: 1, context: 36 }),
]
const session = { intraOpNumThreads: 1 }
const prompts = [[3, 7, 1], [5], [9, 2, 2, 8, 4]]

/** Sample 20 tokens per prompt (EOS 0 stops a row) from one batch of mixture rows. */
function sample(rows: DecoderRows, seed: number) {
  return runLoop([{ rows, weight: 1 }], prompts, { settings: { temperature: 1, topK: 0, topP: 1, minP: 0 }, maxTokens: 20, rng: Rng.fromSeed(seed), stopIds: [0], padId: 0, vocabSize: vocab })
}

describe('parallel mixture', () => {
  it('samples the same tokens, with the same log-probabilities, as the mixture step program, for 2 and 3 members and after new fed weights', async () => {
    const runners = await Promise.all(configs.map((c, i) => NativeRunner.create(c, initWeights(c, i + 1), { weights: i === 1 ? 'inputs' : 'constant', session: { ...session, name: `model ${i}` } })))
    for (const count of [2, 3]) {
      const [lead, ...others] = runners.slice(0, count)
      // Two lanes: model 1 (its weights fed) runs in the thread, the others on this thread.
      const mixture = await ParallelMixture.create(runners.slice(0, count), () => lead.mixtureWith(others), 2, { watch: false })
      const program = await lead.mixtureWith(others)
      const weightings = count === 2 ? [[0.75, 0.25], [0.5, 0.5], [0, 1]] : [[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]]
      for (const [round, weights] of weightings.entries()) {
        if (round === 1) runners[1].setWeights(initWeights(configs[1], 9 + count))
        const a = await sample(mixture.rows(weights), 5 + round)
        const b = await sample(program.rows(weights), 5 + round)
        expect(a.tokens).toEqual(b.tokens)
        expect(a.finish).toEqual(b.finish)
        expect(a.logprobs).toEqual(b.logprobs)
      }
      await mixture.release()
    }
    await Promise.all(runners.map((r) => r.release()))
  })

  /** The members of `runners`, told that their steps run on one thread up to 2 rows only. */
  const narrowTo2 = (runners: readonly NativeRunner[]) =>
    runners.map((r): ParallelMember => ({ config: r.config, name: r.name, builtInWeights: r.builtInWeights, weightInputs: r.weightInputs, sessionRequest: r.sessionRequest, narrowRows: 2, rows: (context, options) => r.rows(context, options) }))

  it('with more than one core per lane, runs a batch wider than the members\' one-thread steps on the mixture step program', async () => {
    const runners = await Promise.all(configs.slice(0, 2).map((c, i) => NativeRunner.create(c, initWeights(c, i + 1), { session })))
    const program = await runners[0].mixtureWith([runners[1]])
    const mixture = await ParallelMixture.create(narrowTo2(runners), () => Promise.resolve(program), 2, { coresPerLane: 2 })
    expect(mixture.rowsLimit).toBe(2)
    // The 3-row batch never reaches the member thread: it samples with the thread ended.
    await mixture.memberThreads[0].thread.terminate()
    const a = await sample(mixture.rows([0.3, 0.7]), 3)
    const b = await sample(program.rows([0.3, 0.7]), 3)
    expect(a.tokens).toEqual(b.tokens)
    expect(a.logprobs).toEqual(b.logprobs)
    await mixture.release()
    await Promise.all(runners.map((r) => r.release()))
  })

  it('with one core per lane, runs batches of any width in parallel on one-thread steps, sampling what the program samples on its one-thread steps', async () => {
    // Members large enough that 3 rows are wider than their one-thread steps (narrowStepRows 2).
    const wide = [resolveDecoderConfig({ vocab, dModel: 256, layers: 4, heads: 4, context: 40 }), resolveDecoderConfig({ vocab, dModel: 192, layers: 6, heads: 4, context: 40 })]
    expect(wide.map(narrowStepRows)).toEqual([2, 2])
    const runners = await Promise.all(wide.map((c, i) => NativeRunner.create(c, initWeights(c, i + 1), { weights: i === 1 ? 'inputs' : 'constant', session })))
    const program = await runners[0].mixtureWith([runners[1]])
    const mixture = await ParallelMixture.create(runners, () => Promise.resolve(program), 2, { watch: false, coresPerLane: 1 })
    expect(mixture.oneCorePerLane).toBe(true)
    expect(mixture.rowsLimit).toBe(Infinity)
    for (const [round, weights] of [[0.3, 0.7], [0.8, 0.2]].entries()) {
      const rows = mixture.rows(weights) as DecoderRows & { inParallel: boolean }
      const a = await sample(rows, 3 + round)
      expect(rows.inParallel).toBe(true)
      const b = await sample(program.rows(weights, { oneThread: true }), 3 + round)
      expect(a.tokens).toEqual(b.tokens)
      expect(a.logprobs).toEqual(b.logprobs)
    }
    await mixture.release()
    await Promise.all(runners.map((r) => r.release()))
  })

  it('runs batches on the mixture step program while its threads get no core of their own, and tries the threads again every few batches', async () => {
    const runners = await Promise.all(configs.slice(0, 2).map((c, i) => NativeRunner.create(c, initWeights(c, i + 1), { session })))
    const program = await runners[0].mixtureWith([runners[1]])
    const mixture = await ParallelMixture.create(runners, () => Promise.resolve(program), 2)
    const batch = async (seed: number) => {
      const rows = mixture.rows([0.6, 0.4]) as DecoderRows & { inParallel: boolean }
      const drawn = await sample(rows, seed)
      return { drawn, inParallel: rows.inParallel }
    }
    // Steps where the sampling thread waited for the thread as long as it ran its own member: taking turns on one core.
    for (let i = 0; i < 15; i++) mixture.observe(1, 1)
    expect(mixture.contended).toBe(false)
    mixture.observe(1, 1)
    expect(mixture.contended).toBe(true)
    for (let k = 1; k < PROBE_EVERY_BATCHES; k++) {
      const { drawn, inParallel } = await batch(k)
      expect(inParallel).toBe(false)
      if (k === 1) expect(drawn.tokens).toEqual((await sample(program.rows([0.6, 0.4]), k)).tokens)
    }
    expect((await batch(PROBE_EVERY_BATCHES)).inParallel).toBe(true)
    await mixture.release()
    await Promise.all(runners.map((r) => r.release()))
  })

  it('names the member whose thread fails to make its sessions, whose step throws, and whose thread ends during a batch', async () => {
    const [lead, other] = await Promise.all(configs.slice(0, 2).map((c, i) => NativeRunner.create(c, initWeights(c, i + 1), { session })))
    // A member whose weights lack one tensor: its thread cannot build its sessions.
    const weights = new Map(other.builtInWeights!)
    weights.delete([...weights.keys()][0])
    const broken: ParallelMember = { config: other.config, name: 'the broken model', builtInWeights: weights, weightInputs: {}, sessionRequest: session, narrowRows: 100, rows: () => other.rows() }
    const failed = await ParallelMixture.create([lead, broken], () => lead.mixtureWith([other]), 2, { watch: false }).catch((e: unknown) => e)
    expect(failed).toBeInstanceOf(NashlabError)
    expect((failed as Error).message).toMatch(/^Model 1 of the mixture \(the broken model\) failed in its thread: /)

    // A member whose step throws in its thread (its 48 logits a row do not fit the mixture's 40 in the shared buffer).
    const widerConfig = resolveDecoderConfig({ ...configs[0], vocab: 48 })
    const wider = await NativeRunner.create(widerConfig, initWeights(widerConfig, 4), { session: { ...session, name: 'the wider model' } })
    const misfit = await ParallelMixture.create([lead, wider], () => lead.mixtureWith([wider]), 2, { watch: false })
    const misfitRows = misfit.rows([0.5, 0.5])
    await misfitRows.start(prompts)
    await expect(misfitRows.step([1, 2, 3])).rejects.toThrow(/^Model 1 of the mixture \(the wider model\) failed in its thread: /)
    await misfit.release()
    await wider.release()

    const mixture = await ParallelMixture.create([lead, other], () => lead.mixtureWith([other]), 2, { watch: false })
    const rows = mixture.rows([0.5, 0.5])
    await rows.start(prompts)
    await rows.step([1, 2, 3])
    // The thread ends as a crash would end it: the next step fails with the member's name, no hang.
    await mixture.memberThreads[0].thread.terminate()
    const error = await rows.step([1, 2, 3]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NashlabError)
    expect((error as Error).message).toContain('model 1 of the mixture (the policy)')
    await mixture.release()
    await Promise.all([lead.release(), other.release()])
  })

  it('ends its member threads when released, and with the runner that made it', async () => {
    const [lead, other] = await Promise.all(configs.slice(0, 2).map((c, i) => NativeRunner.create(c, initWeights(c, i + 1), { session })))
    const mixture = await ParallelMixture.create([lead, other], () => lead.mixtureWith([other]), 2, { watch: false })
    const exited = new Promise((resolve) => mixture.memberThreads[0].thread.once('exit', resolve))
    const rows = mixture.rows([0.5, 0.5])
    await rows.start(prompts)
    await mixture.release()
    await exited
    expect(mixture.memberThreads[0].running).toBe(false)
    await expect(rows.step([1, 2, 3])).rejects.toThrow(/released/)

    // A runner's own parallel mixture (what sampling uses) ends with the runner.
    const kept = await lead.parallelWith([other])
    expect(await lead.parallelWith([other])).toBe(kept)
    const keptExit = new Promise((resolve) => kept.memberThreads[0].thread.once('exit', resolve))
    await Promise.all([lead.release(), other.release()])
    await keptExit
    expect(kept.memberThreads[0].running).toBe(false)
  })
})
