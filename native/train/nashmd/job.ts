/**
 * The worker job of a Nash-MD-PG-family run: opens the models from their manifests, encodes the
 * prompts, runs `runNash` and reports through the run's side channel (metrics, checkpoints, samples;
 * native/train/channel.ts) and the job's progress. A cancel asked through the job (the control
 * word) or through the run's cancel file (another process's `nashlab runs cancel`) stops it at its
 * next step, after a checkpoint.
 */
import fs from 'node:fs'
import { NashlabError } from '../../api/errors'
import type { NashConfig } from '../../api/nashmd'
import { defineJob } from '../../jobs/define'
import { dataPath, type PolicyManifest, type PreferenceManifest } from '../../models/manifest'
import { openTokenizer, policyWeights } from '../../models/open'
import { encodePrompt } from '../../models/tokenizer/template'
import { readWeights } from '../../models/weights-file'
import type { SessionRequest } from '../../runtime/session'
import { ChannelSender } from '../channel'
import { OracleJudge } from '../../demo/oracle-judge'
import { PreferenceJudge, RewardModelJudge, textBridge, type PairJudge } from './judge'
import { runNash, type NashRunResult } from './run'

export interface NashJobInput {
  run: number
  config: NashConfig
  dataDir: string
  /** evalJudge null: the demo's oracle judges the held-out win rate. */
  manifests: { policy: PolicyManifest; reference: PolicyManifest; judge: PreferenceManifest; evalJudge: PreferenceManifest | null }
  /** Every prompt text of the dataset, in id order. */
  prompts: string[]
  checkpointRoot: string
  resume: boolean
  /** The side channel's name (ChannelReceiver.name). */
  channel: string
  /** A file whose appearance asks the run to stop (written by `runs.cancel` from any process). */
  cancelFile: string
}

export interface NashJobResult extends NashRunResult {
  /** Messages sent on the side channel (the engine drains them before acting on the result). */
  sent: number
}

/** Messages of the side channel. */
export type NashChannelMessage =
  | { type: 'metrics'; step: number; values: Record<string, number> }
  | { type: 'checkpoint'; step: number; folder: string }
  | { type: 'samples'; step: number; samples: { prompt: string; completion: string }[] }
  | { type: 'end' }

export default defineJob(async (input: NashJobInput, ctx): Promise<NashJobResult> => {
  const { config: c, dataDir, manifests } = input
  const channel = new ChannelSender(input.channel)
  const post = (message: NashChannelMessage) => channel.post(message as unknown as { type: string })
  try {
    const tokenizer = openTokenizer(manifests.policy.tokenizer, dataDir)
    const session: SessionRequest = { provider: c.device, ...(c.threads ? { intraOpNumThreads: c.threads } : {}) }
    const openJudge = async (manifest: PreferenceManifest) => {
      const judgeTokenizer = openTokenizer(manifest.tokenizer, dataDir)
      const weights = readWeights(dataPath(dataDir, manifest.weights))
      const options = { session, bridge: textBridge(tokenizer, judgeTokenizer, manifest.template) }
      return { manifest, weights, eos: judgeTokenizer.eosId, options }
    }
    const judge = await openJudge(manifests.judge)
    const family = c.algorithm !== 'rlhf'
    const pairJudge = family ? await PreferenceJudge.create(judge.manifest.preference, judge.weights, judge.eos, judge.options) : null
    const reward = family ? null : await RewardModelJudge.create(judge.manifest.preference, judge.weights, judge.eos, judge.options)
    const decode = (ids: readonly number[]) => tokenizer.decode([...ids], { skipSpecialTokens: true })
    const sameEval = c.evalJudge.id === c.preference.id && pairJudge
    const evalSource = sameEval || !manifests.evalJudge ? null : await openJudge(manifests.evalJudge)
    const evalJudge: PairJudge = sameEval ? pairJudge : evalSource ? await PreferenceJudge.create(evalSource.manifest.preference, evalSource.weights, evalSource.eos, evalSource.options) : new OracleJudge(decode)
    // A provider that fell back to the CPU shows on the job (the samplers' own are forwarded by runNash).
    for (const w of new Set([...(pairJudge?.warnings ?? []), ...(reward?.warnings ?? []), ...(evalJudge instanceof PreferenceJudge ? evalJudge.warnings : [])])) ctx.warn(w)
    const prompts = input.prompts.map((text) => ({ ids: encodePrompt(tokenizer, manifests.policy.template, text), text }))
    const check = () => {
      ctx.check()
      if (fs.existsSync(input.cancelFile)) throw new NashlabError('cancelled', `Run ${input.run} was cancelled.`)
    }
    // The progress line carries the last step's sampling throughput (the job context adds rate and ETA).
    let tokensPerSecond: number | null = null
    try {
      const result = await runNash({
        config: c,
        models: {
          policy: { config: manifests.policy.architecture, weights: policyWeights(manifests.policy, dataDir) },
          reference: { config: manifests.reference.architecture, weights: policyWeights(manifests.reference, dataDir) },
          judge: pairJudge ?? undefined,
          reward: reward ?? undefined,
          stopIds: [tokenizer.eosId, ...tokenizer.stopIds.filter((id) => id !== tokenizer.eosId)],
          padId: tokenizer.padId,
          vocabSize: tokenizer.vocabSize,
        },
        evalJudge,
        prompts,
        decode,
        checkpointRoot: input.checkpointRoot,
        resume: input.resume,
        hooks: {
          check,
          progress: (done, total) => ctx.progress({ done, total, unit: 'steps', ...(tokensPerSecond !== null ? { message: `${Math.round(tokensPerSecond)} tokens/s` } : {}) }),
          metrics: (step, values) => {
            tokensPerSecond = values['throughput/tokens_per_second'] ?? null
            post({ type: 'metrics', step, values })
          },
          checkpoint: (step, folder) => post({ type: 'checkpoint', step, folder }),
          samples: (step, samples) => post({ type: 'samples', step, samples }),
          warn: (message) => ctx.warn(message),
        },
      })
      return { ...result, sent: channel.sent }
    } finally {
      await pairJudge?.release()
      await reward?.release()
      if (evalJudge !== pairJudge) await evalJudge?.release()
    }
  } finally {
    // The last message: the engine waits for it before recording how the run ended.
    post({ type: 'end' })
    channel.close()
  }
})
