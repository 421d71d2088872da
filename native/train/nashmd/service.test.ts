import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Input } from '../../api/contract'
import type { RunMetricsEvent } from '../../api/events'
import { Engine } from '../../engine/engine'
import { dataPath } from '../../models/manifest'
import { readWeights } from '../../models/weights-file'
import { seedTinyProject } from './fixtures/tiny-project'
import { NashTrainService } from './service'

let dir: string
let engine: Engine
let project: Awaited<ReturnType<typeof seedTinyProject>>
const fast = { steps: 6, batch: 4, maxTokens: 8, threads: 1, evalPrompts: 4, evalEvery: 3, samplesEvery: 3, samplePrompts: 2, checkpointEvery: 3, lr: 1e-3, seed: 3 }
/** The first test's run, never stopped: the reference for the resumed one. */
let whole: number

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-nashmd-'))
  engine = new Engine({ database: path.join(dir, 'nashlab.db'), mode: 'cli' })
  project = await seedTinyProject(engine, { reward: true })
})

afterAll(async () => {
  await engine.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const service = () => engine.service(NashTrainService)

/** The final weights of a run's last checkpoint. */
async function finalWeights(run: number) {
  const detail = await engine.call('runs.show', { run })
  return readWeights(dataPath(engine.dataDir, detail.checkpoints.at(-1)!.path))
}

describe('Nash-MD-PG runs through the engine', () => {
  it('runs to the end in a worker: metrics per step, win rate, samples, checkpoints, and the trained policy in the catalogue', async () => {
    const seen: RunMetricsEvent[] = []
    const off = engine.events.on('runs.metrics', (e) => seen.push(e))
    const started = await engine.call('runs.start', { ...fast, policy: project.policy, preference: project.preference, dataset: project.dataset })
    whole = started.id
    expect(started).toMatchObject({ algorithm: 'nash-md-pg', status: 'running', totalSteps: 6 })
    const ended = await service().finished(started.id)
    off()
    expect(ended).toMatchObject({ status: 'completed', lastStep: 6 })
    expect(seen.filter((e) => e.run === started.id).map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6])

    const run = await engine.call('runs.show', { run: started.id })
    expect(run.config).toMatchObject({ algorithm: 'nash-md-pg', tau: 0.05, beta: 0.25, microBatch: 4, policy: { name: 'tiny' }, preference: { name: 'tiny-judge', kind: 'preference' }, evalJudge: { name: 'tiny-judge' }, kl: 'reward-to-go' })
    expect(run.checkpoints.map((c) => c.step)).toEqual([3, 6])
    expect(run.metricNames).toEqual(expect.arrayContaining(['loss', 'loss/score', 'loss/kl', 'objective/kl', 'objective/sampled_nll', 'rewards/probabilities', 'eval/win_rate', 'grad_norm', 'learning_rate', 'beta', 'tau', 'completions/mean_length', 'val/model_contain_eos_token', 'throughput/tokens_per_second']))
    const [win] = await engine.call('runs.metrics', { run: started.id, names: ['eval/win_rate'] })
    expect(win.steps).toEqual([3, 6])
    for (const v of win.values) expect(v).toBeGreaterThanOrEqual(0)
    const [loss] = await engine.call('runs.metrics', { run: started.id, names: ['loss'] })
    const [score] = await engine.call('runs.metrics', { run: started.id, names: ['loss/score'] })
    const [kl] = await engine.call('runs.metrics', { run: started.id, names: ['loss/kl'] })
    // The program's loss is the sum of its two parts computed at sampling time.
    loss.values.forEach((v, i) => expect(v).toBeCloseTo(score.values[i] + kl.values[i], 3))

    const samples = await engine.call('runs.samples', { run: started.id })
    expect([...new Set(samples.map((s) => s.step))]).toEqual([0, 3, 6])
    expect(samples.filter((s) => s.step === 6)).toHaveLength(2)

    const models = await engine.call('models.list', {})
    const trained = models.find((m) => m.run?.id === started.id)!
    expect(trained).toMatchObject({ kind: 'policy', parent: { name: 'tiny' }, run: { algorithm: 'nash-md-pg', status: 'completed' } })
    const generated = await engine.call('generate.run', { model: trained.id, prompts: ['Where should we eat tonight?'], settings: { maxTokens: 4, seed: 1 } })
    expect(generated.completions).toHaveLength(1)
  })

  it('cancels at a step with a checkpoint, and the resumed run reaches the weights of one never stopped', async () => {
    // The first test's run, evaluated only at the end, with no samples and no checkpoints on the way:
    // evaluations and samples draw from streams of their own, so the weights come out the same.
    const config: Input<'runs.start'> = { ...fast, evalEvery: 0, samplePrompts: 0, checkpointEvery: 100, policy: project.policy, preference: project.preference, dataset: project.dataset }
    const stopped = await engine.call('runs.start', config)
    await new Promise<void>((resolve) => {
      const off = engine.events.on('runs.metrics', (e) => {
        if (e.run === stopped.id && e.step >= 2) {
          off()
          resolve()
        }
      })
    })
    const cancelled = await engine.call('runs.cancel', { run: stopped.id })
    expect(cancelled.status).toBe('cancelled')
    const detail = await engine.call('runs.show', { run: stopped.id })
    expect(detail.checkpoints).toHaveLength(1)
    expect(detail.checkpoints[0].step).toBeGreaterThanOrEqual(2)
    expect(detail.checkpoints[0].step).toBeLessThan(6)

    expect((await engine.call('runs.resume', { run: stopped.id })).status).toBe('running')
    expect(await service().finished(stopped.id)).toMatchObject({ status: 'completed', lastStep: 6 })
    const a = await finalWeights(whole)
    const b = await finalWeights(stopped.id)
    for (const [name, w] of a) expect(Array.from(b.get(name)!), name).toEqual(Array.from(w))
  })

  it('pauses and resumes a running run (nash-ema-pg)', async () => {
    const started = await engine.call('runs.start', { ...fast, steps: 16, evalPrompts: 0, samplePrompts: 0, algorithm: 'nash-ema-pg', emaDecay: 0.5, policy: project.policy, preference: project.preference, dataset: project.dataset })
    await new Promise<void>((resolve) => {
      const off = engine.events.on('runs.metrics', (e) => {
        if (e.run === started.id) {
          off()
          resolve()
        }
      })
    })
    expect((await engine.call('runs.pause', { run: started.id })).status).toBe('paused')
    const at = (await engine.call('runs.show', { run: started.id })).lastStep!
    await new Promise((r) => setTimeout(r, 300))
    // At most the step in flight when the pause was asked finishes.
    expect((await engine.call('runs.show', { run: started.id })).lastStep!).toBeLessThanOrEqual(at + 1)
    expect((await engine.call('runs.resume', { run: started.id })).status).toBe('running')
    const ended = await service().finished(started.id)
    expect(ended).toMatchObject({ status: 'completed', lastStep: 16 })
    const run = await engine.call('runs.show', { run: started.id })
    expect(run.checkpoints.length).toBeGreaterThan(0)
    // Its opponent is the EMA policy itself unless β mixes μ in.
    expect(run.config).toMatchObject({ algorithm: 'nash-ema-pg', beta: 0, emaDecay: 0.5 })
  })

  it('trains rlhf on the same code path, queues a second run behind it, and fixes β for self-play', async () => {
    const base = { ...fast, steps: 2, evalPrompts: 2, evalEvery: 2, samplePrompts: 0, policy: project.policy, dataset: project.dataset }
    const rlhf = await engine.call('runs.start', { ...base, algorithm: 'rlhf', preference: project.reward!, evalJudge: project.preference })
    // A second run waits for the first (one job at a time); self-play's β is 0 whatever was asked.
    const selfPlay = await engine.call('runs.start', { ...base, algorithm: 'self-play', beta: 0.4, preference: project.preference })
    expect(selfPlay.status).toBe('queued')
    expect(await service().finished(rlhf.id)).toMatchObject({ status: 'completed' })
    const names = (await engine.call('runs.show', { run: rlhf.id })).metricNames
    expect(names).toEqual(expect.arrayContaining(['rewards/mean', 'eval/win_rate', 'loss/kl']))
    expect(names).not.toContain('rewards/probabilities')
    expect(await service().finished(selfPlay.id)).toMatchObject({ status: 'completed' })
    expect((await engine.call('runs.show', { run: selfPlay.id })).config).toMatchObject({ algorithm: 'self-play', beta: 0, betaSchedule: 'constant', betaEnd: 0 })
    const [beta] = await engine.call('runs.metrics', { run: selfPlay.id, names: ['beta'] })
    expect(beta.values).toEqual([0, 0])
  })

  it('refuses configs it cannot run, naming the field', async () => {
    const base = { policy: project.policy, preference: project.preference, dataset: project.dataset }
    await expect(engine.call('runs.start', { ...base, batch: 6, microBatch: 4 })).rejects.toThrow('The batch of 6 prompts is not a multiple of the micro-batch of 4.')
    await expect(engine.call('runs.start', { ...base, algorithm: 'rlhf' })).rejects.toThrow(/rlhf maximises a reward, and "tiny-judge" is a pairwise preference model/)
    await expect(engine.call('runs.start', { ...base, maxTokens: 60, maxPromptTokens: 10 })).rejects.toThrow(/do not fit the policy's context of 64 tokens/)
    await expect(engine.call('runs.start', { ...base, preference: project.policy })).rejects.toThrow(/must be a preference model/)
    await expect(engine.call('runs.start', { ...base, beta: 2 })).rejects.toThrow(/field "beta"/)
    await expect(engine.call('runs.start', { ...base, betaSchedule: 'piecewise' })).rejects.toThrow(/needs betaPieces/)
    const options = await engine.call('runs.options', {})
    expect(options.fields.find((f) => f.name === 'tau')).toMatchObject({ kind: 'number', default: 0.05, minimum: 0, group: 'game' })
    expect(options.algorithms.map((a) => a.name)).toEqual(['nash-md-pg', 'self-play', 'best-response', 'nash-ema-pg', 'rlhf'])
  })
})
