/**
 * The embedded demo, end to end, through the engine's own methods (so every dataset, model, run and
 * tournament it makes is recorded in the project database and browsable like a user's own):
 *
 *   demonstrations → SFT from scratch → samples of the SFT policy judged by the population
 *   (a comparisons dataset) → pairwise preference model and Bradley–Terry reward model →
 *   Nash-MD-PG at β ∈ {0, 0.125, 0.25, 0.5, 1}, Nash-EMA-PG and RLHF from the same SFT policy →
 *   option shares of every policy → tournaments judged by the oracle and by the preference model →
 *   ONNX exports → report.json and report.html.
 *
 * It runs in the engine's process and waits for each job in turn (the engine runs one job at a
 * time); its stages and their progress go to `onChange`.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { DemoStage } from '../api/demo'
import { NashlabError } from '../api/errors'
import type { JobProgress } from '../api/events'
import type { ModelSummary } from '../api/models'
import type { TrainStarted } from '../api/train'
import type { TournamentDetail } from '../api/tournaments'
import type { Engine } from '../engine/engine'
import { loadPolicy, loadPreference } from '../eval/load'
import { PlayerResolver } from '../eval/players'
import { Rng } from '../runtime/rng'
import { DatasetRepository, DatasetWriter } from '../store/datasets'
import { NashTrainService } from '../train/nashmd/service'
import { classPreference, responseClass, responseClasses, type ResponseClass } from './oracle'
import { optionNames, phrasings, prompts, raterAt, type Option } from './restaurants'
import { analyse, type DemoReport, type PolicyResult } from './report-data'
import { writeReport } from './report-html'
import { demoBetas, demoSizes, demoTau, type DemoMode, type DemoSizes } from './sizes'

export const demonstrationsDataset = 'restaurants (demo demonstrations)'

export interface DemoOptions {
  mode: DemoMode
  /** Folder of report.html, report.json and onnx/. */
  out: string
  /** Override sizes (tests run a smaller config of the same code path). */
  sizes?: Partial<DemoSizes>
  seed?: number
  signal?: AbortSignal
  /** Called whenever a stage starts, progresses or ends. */
  onChange?(stages: DemoStage[]): void
}

/** The runs of the demo: every one from the SFT policy, against the same judge, with the same τ. */
export function demoRuns(): { key: string; label: string; algorithm: 'nash-md-pg' | 'self-play' | 'best-response' | 'nash-ema-pg' | 'rlhf'; beta?: number }[] {
  return [
    ...demoBetas.map((beta) => ({
      key: `beta-${beta}`,
      label: beta === 0 ? 'self-play (β 0)' : beta === 1 ? 'best response (β 1)' : `Nash-MD-PG β ${beta}`,
      algorithm: (beta === 0 ? 'self-play' : beta === 1 ? 'best-response' : 'nash-md-pg') as 'nash-md-pg' | 'self-play' | 'best-response',
      beta,
    })),
    { key: 'ema', label: 'Nash-EMA-PG', algorithm: 'nash-ema-pg' as const },
    { key: 'rlhf', label: 'RLHF (BT reward)', algorithm: 'rlhf' as const },
  ]
}

/** The stages in order, as the UI and the terminal show them. */
export function demoStages(): DemoStage[] {
  const stage = (id: string, label: string): DemoStage => ({ id, label, status: 'pending', progress: null, seconds: null, detail: null })
  return [
    stage('data', 'Demonstrations dataset'),
    stage('sft', 'SFT of a policy from scratch'),
    stage('collect', 'Collect comparisons from the rater population'),
    stage('preference', 'Train the pairwise preference model'),
    stage('reward', 'Train the Bradley–Terry reward model'),
    ...demoRuns().map((r) => stage(`run:${r.key}`, `Run: ${r.label}`)),
    stage('shares', 'Option shares of every policy'),
    stage('tournament:oracle', 'Tournament judged by the oracle'),
    stage('tournament:preference', 'Tournament judged by the preference model'),
    stage('export', 'ONNX exports'),
    stage('report', 'Report'),
  ]
}

/** A name not yet taken by a model: `demo-<mode>`, then `demo-<mode>-2`, … */
function freeTag(engine: Engine, mode: DemoMode): string {
  const taken = new Set((engine.db.prepare('SELECT name FROM models').pluck().all() as string[]).map((n) => n.replace(/-(policy|sft|preference|reward)$/, '')))
  for (let k = 1; ; k++) {
    const tag = k === 1 ? `demo-${mode}` : `demo-${mode}-${k}`
    if (!taken.has(tag)) return tag
  }
}

export async function runDemo(engine: Engine, options: DemoOptions): Promise<DemoReport> {
  const sizes: DemoSizes = { ...demoSizes[options.mode], ...options.sizes }
  const seed = options.seed ?? 1
  const signal = options.signal ?? new AbortController().signal
  const stages = demoStages()
  const started = performance.now()
  const notify = () => options.onChange?.(stages.map((s) => ({ ...s, progress: s.progress && { ...s.progress } })))
  let current: DemoStage | null = null
  // Job progress belongs to the stage that is running (the engine runs one job at a time).
  const off = engine.events.on('jobs.progress', (p: JobProgress) => {
    if (!current || current.id === 'collect' || current.id === 'shares' || current.id === 'export') return
    current.progress = { done: p.done, total: p.total, unit: p.unit, etaSeconds: p.etaSeconds, message: p.message ?? null }
    notify()
  })
  const stage = async <T>(id: string, work: (s: DemoStage) => Promise<T>): Promise<T> => {
    if (signal.aborted) throw new NashlabError('cancelled', 'The demo was cancelled.')
    const s = stages.find((x) => x.id === id)!
    current = s
    s.status = 'running'
    const t0 = performance.now()
    notify()
    try {
      const result = await work(s)
      s.status = 'done'
      return result
    } catch (error) {
      s.status = 'failed'
      s.detail = (error as Error).message
      throw error
    } finally {
      s.seconds = (performance.now() - t0) / 1000
      current = null
      notify()
    }
  }
  const ctx = { signal }
  /** Call `stop` when the demo is cancelled, also when it already was; returns the undo. */
  const whenCancelled = (stop: () => void): (() => void) => {
    if (signal.aborted) {
      stop()
      return () => {}
    }
    signal.addEventListener('abort', stop, { once: true })
    return () => signal.removeEventListener('abort', stop)
  }
  /** Wait for a training run started without `wait` (a cancel of the demo cancels its job); its model. */
  const trained = async (started: TrainStarted): Promise<ModelSummary> => {
    const detach = whenCancelled(() => void engine.call('jobs.cancel', { id: started.job }).catch(() => {}))
    try {
      const ended = (status: string) => status === 'completed' || status === 'failed' || status === 'cancelled'
      await new Promise<void>((resolve) => {
        const done = () => {
          offRun()
          resolve()
        }
        const offRun = engine.events.on('runs.status', (e) => {
          if (e.run === started.run.id && ended(e.status)) done()
        })
        void engine.call('runs.show', { run: started.run.id }).then((d) => {
          if (ended(d.status)) done()
        })
      })
      const run = await engine.call('runs.show', { run: started.run.id })
      if (run.status !== 'completed') throw new NashlabError(run.status === 'cancelled' ? 'cancelled' : 'internal', `Run ${run.id} (${run.algorithm}) ended ${run.status}${run.error ? `: ${run.error}` : ''}.`)
      const model = (await engine.call('models.list', {})).find((m) => m.run?.id === run.id)
      if (!model) throw new NashlabError('internal', `Run ${run.id} completed without registering a model.`)
      return model
    } finally {
      detach()
    }
  }
  const out = path.resolve(options.out)
  fs.mkdirSync(out, { recursive: true })
  try {
    const tag = freeTag(engine, options.mode)
    const comparisonsDataset = `restaurants (demo comparisons, ${tag})`

    await stage('data', async (s) => {
      const repo = new DatasetRepository(engine.db)
      const existing = repo.list().find((d) => d.name === demonstrationsDataset)
      if (existing && existing.responses > 0) {
        s.detail = `${existing.responses} demonstrations (already there)`
        return
      }
      const id = repo.ensure(demonstrationsDataset)
      const writer = new DatasetWriter(engine.db, id)
      let rows = 0
      engine.db.transaction(() => {
        for (const prompt of prompts) {
          for (const option of optionNames) {
            for (const text of phrasings[option]) {
              writer.feedback({ prompt, completion: text, label: 1, annotator: 'demo', source: 'demo' })
              rows++
            }
          }
        }
      })()
      engine.events.emit('datasets.changed', { name: demonstrationsDataset })
      s.detail = `${rows} demonstrations: ${prompts.length} prompts × ${optionNames.length} options × ${phrasings.sushi.length} phrasings`
    })

    const sft = await stage('sft', async (s) => {
      const p = sizes.policy
      await engine.call('models.create', {
        name: `${tag}-policy`,
        description: 'The demo policy before training: fresh weights, a byte-level BPE trained on the demonstrations.',
        architecture: { dModel: p.dModel, layers: p.layers, heads: p.heads, context: p.context },
        tokenizer: { dataset: demonstrationsDataset, vocabSize: p.vocab },
        seed,
      })
      const started = await engine.call('train.sft', {
        model: `${tag}-policy`,
        dataset: demonstrationsDataset,
        examples: 'responses',
        settings: { steps: sizes.sftSteps, batch: sizes.sftBatch, lr: sizes.sftLr, seed, holdout: 0.1, evalEvery: 0, checkpointEvery: sizes.sftSteps, keepCheckpoints: 1 },
        name: `${tag}-sft`,
      })
      const model = await trained(started)
      const [loss] = await engine.call('runs.metrics', { run: started.run.id, names: ['eval/loss'] })
      s.detail = `${model.name} (run ${started.run.id}${loss?.values.length ? `, held-out loss ${loss.values.at(-1)!.toFixed(3)} nats/token` : ''})`
      return { model, run: started.run.id, heldOutLoss: loss?.values.at(-1) ?? null }
    })

    const collected = await stage('collect', async (s) => {
      const perPrompt = Math.ceil((2 * sizes.comparisons) / prompts.length)
      const texts: string[][] = prompts.map(() => [])
      for (let drawn = 0, call = 0; drawn < perPrompt; call++) {
        const n = Math.min(64, perPrompt - drawn)
        const result = await engine.call('generate.run', { model: sft.model.id, prompts: [...prompts], n, settings: { maxTokens: sizes.maxTokens, seed: seed * 1000 + call } }, ctx)
        for (const c of result.completions) texts[c.prompt].push(c.text)
        drawn += n
        s.progress = { done: drawn * prompts.length, total: perPrompt * prompts.length, unit: 'samples', etaSeconds: null, message: null }
        notify()
      }
      // Consecutive samples of a prompt form a pair; one rater drawn by share judges it.
      const rng = Rng.fromSeed(seed + 17)
      const repo = new DatasetRepository(engine.db)
      const id = repo.ensure(comparisonsDataset)
      const writer = new DatasetWriter(engine.db, id)
      const counts = { a: 0, b: 0, tie: 0, both_bad: 0 }
      const byRater: Record<string, number> = {}
      let written = 0
      engine.db.transaction(() => {
        for (let k = 0; written < sizes.comparisons; k++) {
          const promptIndex = k % prompts.length
          const pair = Math.floor(k / prompts.length)
          const [a, b] = [texts[promptIndex][2 * pair], texts[promptIndex][2 * pair + 1]]
          if (a === undefined || b === undefined) break
          const [ca, cb] = [responseClass(a), responseClass(b)]
          const rater = raterAt(rng.float())
          // The shared qualities decide for every rater alike; only two different options ask the drawn rater.
          const shared = ca === 'other' || cb === 'other' || ca === cb
          const annotator = shared ? 'every rater' : rater.name
          const outcome: 'a' | 'b' | 'tie' | 'both_bad' =
            ca === 'other' && cb === 'other' ? 'both_bad' : ca === 'other' ? 'b' : cb === 'other' ? 'a' : ca === cb ? 'tie' : rater.ranking.indexOf(ca) < rater.ranking.indexOf(cb) ? 'a' : 'b'
          writer.comparison({ prompt: prompts[promptIndex], a, b, outcome, annotator, source: 'oracle', sourceA: `model:${sft.model.id}`, sourceB: `model:${sft.model.id}` })
          counts[outcome]++
          byRater[annotator] = (byRater[annotator] ?? 0) + 1
          written++
        }
      })()
      engine.events.emit('datasets.changed', { name: comparisonsDataset })
      s.detail = `${written} comparisons in "${comparisonsDataset}" (a ${counts.a}, b ${counts.b}, tie ${counts.tie}, both bad ${counts.both_bad})`
      return { dataset: comparisonsDataset, count: written, outcomes: counts, byRater }
    })

    const trainJudge = async (s: DemoStage, kind: 'pairwise' | 'bt') => {
      const name = `${tag}-${kind === 'pairwise' ? 'preference' : 'reward'}`
      const started = await engine.call('train.preference', {
        dataset: comparisonsDataset,
        kind,
        from: sft.model.id,
        // A policy so weak that every pair is "both bad" leaves nothing decisive: then those pairs count as ties.
        includeBothBad: collected.outcomes.a + collected.outcomes.b + collected.outcomes.tie === 0,
        settings: { steps: sizes.preferenceSteps, batch: sizes.preferenceBatch, lr: sizes.preferenceLr, seed, holdout: 0.15, evalEvery: 0, checkpointEvery: sizes.preferenceSteps, keepCheckpoints: 1 },
        name,
      })
      const model = await trained(started)
      const metric = async (m: string) => (await engine.call('runs.metrics', { run: started.run.id, names: [m] }))[0]?.values.at(-1) ?? null
      const heldOut = { accuracy: await metric('eval/accuracy'), logLoss: await metric('eval/log_loss'), calibrationError: await metric('eval/calibration_error') }
      const optionP = await optionPreferences(engine, model.id)
      s.detail = `${name}: held-out accuracy ${heldOut.accuracy === null ? 'n/a' : `${(heldOut.accuracy * 100).toFixed(1)}%`}, log-loss ${heldOut.logLoss?.toFixed(3) ?? 'n/a'}`
      return { model, run: started.run.id, heldOut, optionP }
    }
    const preference = await stage('preference', (s) => trainJudge(s, 'pairwise'))
    const reward = await stage('reward', (s) => trainJudge(s, 'bt'))

    const nash = engine.service(NashTrainService)
    const runs: { key: string; label: string; algorithm: string; beta: number | null; run: number; model: { id: number; name: string }; winRate: { steps: number[]; values: number[] }; curves: Record<string, { steps: number[]; values: number[] }> }[] = []
    for (const r of demoRuns()) {
      await stage(`run:${r.key}`, async (s) => {
        const started = await engine.call('runs.start', {
          algorithm: r.algorithm,
          ...(r.beta !== undefined ? { beta: r.beta } : {}),
          policy: sft.model.id,
          preference: r.algorithm === 'rlhf' ? reward.model.id : preference.model.id,
          evalJudge: 'oracle',
          dataset: comparisonsDataset,
          tau: demoTau,
          steps: sizes.runSteps,
          batch: sizes.runBatch,
          maxTokens: sizes.maxTokens,
          lr: sizes.runLr,
          evalPrompts: 8,
          evalEvery: sizes.evalEvery,
          samplePrompts: 2,
          samplesEvery: sizes.evalEvery,
          checkpointEvery: sizes.runSteps,
          keepCheckpoints: 1,
          seed,
        })
        const detach = whenCancelled(() => void engine.call('runs.cancel', { run: started.id }).catch(() => {}))
        const ended = await nash.finished(started.id).finally(detach)
        if (ended.status !== 'completed') throw new NashlabError(ended.status === 'cancelled' ? 'cancelled' : 'internal', `Run ${started.id} (${r.label}) ended ${ended.status}${ended.error ? `: ${ended.error}` : ''}.`)
        const model = (await engine.call('models.list', {})).find((m) => m.run?.id === started.id)
        if (!model) throw new NashlabError('internal', `Run ${started.id} completed without registering its policy.`)
        const series = await engine.call('runs.metrics', { run: started.id, names: ['eval/win_rate', 'loss', 'loss/kl', 'rewards/probabilities', 'rewards/mean', 'objective/kl'] })
        const curves = Object.fromEntries(series.map((m) => [m.name, { steps: m.steps, values: m.values }]))
        const win = curves['eval/win_rate'] ?? { steps: [], values: [] }
        s.detail = `${model.name}: held-out oracle win rate against SFT ${win.values.length ? `${(win.values.at(-1)! * 100).toFixed(1)}%` : 'n/a'}`
        runs.push({ key: r.key, label: r.label, algorithm: r.algorithm, beta: r.algorithm === 'rlhf' || r.algorithm === 'nash-ema-pg' ? null : (r.beta ?? null), run: started.id, model: { id: model.id, name: model.name }, winRate: win, curves })
      })
    }

    const policies: PolicyResult[] = [{ key: 'sft', label: 'SFT (reference μ)', algorithm: 'sft', beta: null, run: sft.run, model: { id: sft.model.id, name: sft.model.name }, winRate: { steps: [], values: [] }, curves: {}, shares: emptyShares(), samples: [] }, ...runs.map((r) => ({ ...r, shares: emptyShares(), samples: [] }))]
    await stage('shares', async (s) => {
      // Sampled here rather than as one job per policy: a few hundred short completions each, far
      // less work than starting a worker; the event loop waits a fraction of a second per batch.
      const perPrompt = Math.max(1, Math.ceil(sizes.shareSamples / prompts.length))
      const resolver = new PlayerResolver(engine.db, engine.dataDir)
      let done = 0
      for (const p of policies) {
        const policy = await loadPolicy(resolver.policy(`model:${p.model.id}`))
        try {
          const completions = await policy.sample([...prompts], { n: perPrompt, maxTokens: sizes.maxTokens, seed: seed + 4242 })
          const counts = emptyShares()
          for (const c of completions) counts[responseClass(c.text)]++
          for (const k of responseClasses) p.shares[k] = counts[k] / completions.length
          p.sampleCount = completions.length
          // The first completion of each of the first prompts, to read beside the numbers.
          p.samples = completions.filter((c) => c.sample === 0).slice(0, 6).map((c) => ({ prompt: prompts[c.prompt], text: c.text, class: responseClass(c.text) }))
        } finally {
          await policy.release()
        }
        s.progress = { done: ++done, total: policies.length, unit: 'policies', etaSeconds: null, message: null }
        notify()
      }
    })

    const players = policies.map((p) => p.model.name)
    const tournament = async (judge: string): Promise<TournamentDetail> => {
      const startedT = await engine.call('tournaments.start', { name: `${tag} (${judge === 'oracle' ? 'oracle' : 'preference model'})`, players, judge, prompts: comparisonsDataset, n: sizes.tournamentN, settings: { maxTokens: sizes.maxTokens, seed }, seed, bootstrap: 200 })
      const detach = whenCancelled(() => void engine.call('tournaments.cancel', { tournament: startedT.id }).catch(() => {}))
      await new Promise<void>((resolve) => {
        const check = (status: string) => ['completed', 'failed', 'cancelled'].includes(status)
        const done = () => {
          offT()
          resolve()
        }
        const offT = engine.events.on('tournaments.changed', (t) => {
          if (t.id === startedT.id && check(t.status)) done()
        })
        void engine.call('tournaments.show', { tournament: startedT.id }).then((t) => {
          if (check(t.status)) done()
        })
      })
      detach()
      const detail = await engine.call('tournaments.show', { tournament: startedT.id })
      if (detail.status === 'cancelled') throw new NashlabError('cancelled', 'The demo was cancelled.')
      if (detail.status !== 'completed' || !detail.result) throw new NashlabError('internal', `Tournament ${detail.id} ended ${detail.status}${detail.error ? `: ${detail.error}` : ''}.`)
      return detail
    }
    const oracleTournament = await stage('tournament:oracle', async (s) => {
      const t = await tournament('oracle')
      s.detail = `tournament ${t.id}: ${players.length} players, ${t.n} pairs a cell`
      return t
    })
    const preferenceTournament = await stage('tournament:preference', async (s) => {
      const t = await tournament(`pref:${preference.model.id}`)
      s.detail = `tournament ${t.id}: judged by ${preference.model.name}`
      return t
    })

    const exports = await stage('export', async (s) => {
      const written: { model: string; folder: string; bytes: number }[] = []
      const all = [...policies.map((p) => p.model), preference.model, reward.model]
      for (const m of all) {
        const folder = path.join(out, 'onnx', m.name)
        const result = await engine.call('models.export', { model: m.id, out: folder })
        written.push({ model: m.name, folder: path.relative(out, folder), bytes: result.bytes })
        s.progress = { done: written.length, total: all.length, unit: 'models', etaSeconds: null, message: null }
        notify()
      }
      s.detail = `${written.length} models under ${path.join(out, 'onnx')}`
      return written
    })

    return await stage('report', async (s) => {
      const report = analyse({
        mode: options.mode,
        tag,
        sizes,
        seed,
        tau: demoTau,
        sft: { model: sft.model.name, run: sft.run, heldOutLoss: sft.heldOutLoss },
        collected,
        preference: { model: preference.model.name, run: preference.run, heldOut: preference.heldOut, optionP: preference.optionP },
        reward: { model: reward.model.name, run: reward.run, heldOut: reward.heldOut, optionP: reward.optionP },
        policies,
        tournaments: { oracle: oracleTournament, preference: preferenceTournament },
        exports,
        stages: stages.map((x) => ({ id: x.id, label: x.label, seconds: x.seconds })),
        seconds: (performance.now() - started) / 1000,
      })
      writeReport(out, report)
      s.detail = `${path.join(out, 'report.html')}`
      return report
    })
  } finally {
    off()
  }
}

function emptyShares(): Record<ResponseClass, number> {
  return { sushi: 0, pasta: 0, tacos: 0, other: 0 }
}

/**
 * What a trained judge says about each pair of options: the mean of its P(a ≻ b | x) over every
 * prompt and every pair of phrasings (a's option first), beside the population's truth.
 */
async function optionPreferences(engine: Engine, model: number): Promise<{ a: Option; b: Option; p: number; truth: number }[]> {
  const spec = new PlayerResolver(engine.db, engine.dataDir).preference(`model:${model}`)
  const judge = await loadPreference(spec)
  try {
    const pairs: [Option, Option][] = [
      ['sushi', 'pasta'],
      ['pasta', 'tacos'],
      ['tacos', 'sushi'],
    ]
    const out: { a: Option; b: Option; p: number; truth: number }[] = []
    for (const [a, b] of pairs) {
      const rows = prompts.flatMap((prompt) => phrasings[a].flatMap((ta) => phrasings[b].map((tb) => ({ prompt, a: ta, b: tb }))))
      const p = await judge.scoreBatch(rows, { batch: 64 })
      out.push({ a, b, p: p.reduce((x, y) => x + y, 0) / p.length, truth: classPreference(a, b) })
    }
    return out
  } finally {
    await judge.release()
  }
}
