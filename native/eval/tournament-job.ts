/**
 * A tournament as a job (in a worker thread: generation and judging block their thread): load each
 * player in turn, sample its responses to the prompts, release it; then judge every pair with the
 * demo's rater population or a preference model. Progress counts responses generated and pairs
 * judged together.
 */
import type { SamplingSettings } from '../api/generate'
import type { TournamentOutcome } from '../api/tournaments'
import { restaurantOracle } from '../demo/oracle'
import { defineJob } from '../jobs/define'
import { loadPolicy, loadPreference, sampleOptions } from './load'
import type { PolicySpec, PreferenceSpec } from './players'
import { runTournament, type Judge, type Player } from './tournament'

export interface TournamentJobInput {
  players: PolicySpec[]
  judge: { kind: 'oracle' } | { kind: 'preference'; spec: PreferenceSpec }
  prompts: string[]
  n: number
  seed: number
  bootstrap: number
  settings: SamplingSettings
}

/** Pairs per call of a preference model between two checks for pause and cancel. */
const judgeChunk = 64

export default defineJob(async (input: TournamentJobInput, ctx): Promise<TournamentOutcome> => {
  const warn = (message: string) => ctx.warn(message)
  let generateSeconds = 0
  let judgeSeconds = 0
  let judged = 0

  const players: Player[] = input.players.map((spec) => ({
    label: spec.label,
    async respond(prompts, seed, _signal, progress) {
      const started = performance.now()
      const policy = await loadPolicy(spec, { warn })
      try {
        let finished = 0
        const completions = await policy.sample(prompts, {
          ...sampleOptions(input.settings),
          seed,
          check: () => ctx.check(),
          onToken: (event) => {
            if (event.done) progress?.(++finished)
          },
        })
        return completions.map((c) => c.text)
      } finally {
        await policy.release()
        generateSeconds += (performance.now() - started) / 1000
      }
    },
  }))

  let judge: Judge
  let release = async () => {}
  if (input.judge.kind === 'oracle') {
    const oracle = restaurantOracle()
    judge = {
      ...oracle,
      async prefer(pairs, seed, signal) {
        const started = performance.now()
        const p = await oracle.prefer(pairs, seed, signal)
        judgeSeconds += (performance.now() - started) / 1000
        judged += pairs.length
        return p
      },
    }
  } else {
    const model = await loadPreference(input.judge.spec, { warn })
    release = () => model.release()
    judge = {
      name: `pref:${input.judge.spec.label}`,
      // Both the pairwise model and σ(r(a) − r(b)) are antisymmetric by construction.
      antisymmetric: true,
      async prefer(pairs) {
        const started = performance.now()
        const out: number[] = []
        for (let start = 0; start < pairs.length; start += judgeChunk) {
          ctx.check()
          out.push(...(await model.scoreBatch(pairs.slice(start, start + judgeChunk))))
        }
        judgeSeconds += (performance.now() - started) / 1000
        judged += pairs.length
        return out
      },
    }
  }

  try {
    const result = await runTournament({
      players,
      judge,
      prompts: input.prompts,
      n: input.n,
      seed: input.seed,
      bootstrap: input.bootstrap,
      signal: ctx.signal,
      onProgress: ({ done, total, phase }) => {
        ctx.check()
        ctx.progress({ done, total, unit: 'items', message: phase === 'generate' ? 'generating responses' : 'judging pairs' })
      },
    })
    return { ...result, judged, generated: input.players.length * input.n, generateSeconds, judgeSeconds }
  } finally {
    await release()
  }
})
