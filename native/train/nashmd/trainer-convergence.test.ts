import { expect, test } from 'vitest'
import { regularisedEquilibrium } from '../../game/equilibrium'
import { preferenceGame } from '../../game/game'
import { resolveDecoderConfig } from '../../models/config'
import { initWeights } from '../../models/weights'
import { Rng } from '../../runtime/rng'
import type { PairJudge } from './judge'
import { SequenceTrainer } from './sequence-trainer'

/**
 * Nash-MD-PG end to end on a tiny ONNX policy, in a game whose regularised Nash equilibrium is known
 * exactly: one prompt, completions of one token (four actions, the EOS one of them), a cyclic
 * preference table over the actions, and μ = the policy as it starts. Every part is the real one:
 * sampling y and the β-mixture y′ through ONNX sessions with KV caches, the judge, the reference's
 * eval program, the advantages and the ONNX train-step program with AdamW.
 */
const P = [
  [0.5, 0.9, 0.2, 0.6],
  [0.1, 0.5, 0.85, 0.4],
  [0.8, 0.15, 0.5, 0.7],
  [0.4, 0.6, 0.3, 0.5],
]

/** P(a ≻ b) of the first tokens: antisymmetric by construction of the table. */
const table: PairJudge = {
  antisymmetric: true,
  judge: async (_prompts, a, b) => Float64Array.from(a, (row, i) => P[row[0]][b[i][0]]),
  release: async () => {},
}

test('Nash-MD-PG moves a tiny ONNX policy to the regularised Nash equilibrium π*_τ', async () => {
  const config = resolveDecoderConfig({ vocab: 4, dModel: 8, layers: 1, heads: 2, context: 8, initStd: 0.5 })
  const weights = initWeights(config, 4)
  const tau = 0.15
  const trainer = await SequenceTrainer.create(
    { policy: { config, weights }, reference: { config, weights }, judge: table, stopIds: [3], padId: 0, vocabSize: 4 },
    {
      algorithm: 'nash-md-pg',
      tau,
      kl: 'reward-to-go',
      missingEosPenalty: 0,
      pairOrder: 'auto',
      rewardBaseline: 'none',
      emaDecay: 0,
      batch: 64,
      microBatch: 64,
      maxTokens: 1,
      maxPromptTokens: 1,
      temperature: 1,
      optimizer: { kind: 'adamw', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
      clipNorm: 0,
      session: { intraOpNumThreads: 1 },
    },
  )
  const prompt = [0]
  const distribution = async () => {
    const scored = await trainer.policyScores([0, 1, 2, 3].map((t) => [...prompt, t]))
    return scored.map((s) => Math.exp(s[0]))
  }
  const mu = await distribution()
  const nash = regularisedEquilibrium(preferenceGame(P, mu, tau))
  const klToNash = (pi: number[]) => nash.policy.reduce((s, p, i) => s + p * (Math.log(p) - Math.log(pi[i])), 0)
  const start = klToNash(mu)
  const rng = Rng.fromSeed(1)
  const seen: number[] = []
  for (let step = 0; step < 150; step++) {
    await trainer.step(Array.from({ length: 64 }, () => ({ ids: prompt, text: '' })), 0.125, step < 100 ? 0.01 : 0.003, rng)
    if (step % 25 === 24) seen.push(klToNash(await distribution()))
  }
  const end = seen.at(-1)!
  if (process.env.NASHLAB_VERBOSE) console.log(`KL(π*_τ‖π_θ): start ${start.toFixed(4)} → ${seen.map((k) => k.toFixed(4)).join(' → ')}`)
  expect(start).toBeGreaterThan(0.05)
  // Policy-gradient noise makes the path wander (AdamW's first steps overshoot); it settles near π*_τ.
  const settled = seen.slice(-3)
  expect(settled.reduce((a, b) => a + b, 0) / settled.length).toBeLessThan(start / 3)
  expect(end).toBeLessThan(start / 5)
  expect(end).toBeLessThan(0.02)
  await trainer.release()
})
