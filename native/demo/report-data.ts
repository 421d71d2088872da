/**
 * The demo's findings, every number computed from what the run produced: the population's game
 * and its equilibria, each judge's view of the option pairs, each policy's option shares and how
 * far they are from π*_τ, the tournaments, and the plain-sentence verdicts the report prints.
 */
import type { TournamentDetail, TournamentOutcome } from '../api/tournaments'
import { regularisedEquilibrium } from '../game/equilibrium'
import { exploitability } from '../game/exploitability'
import { preferenceGame } from '../game/game'
import { solveMatrixGame } from '../game/matrix-game'
import { logOf } from '../game/vector'
import { classMatrix, classPreference, responseClasses, type ResponseClass } from './oracle'
import { optionNames, populationMatrix, raterTypes, type Option } from './restaurants'
import type { DemoMode, DemoSizes } from './sizes'

type Series = { steps: number[]; values: number[] }

export interface PolicyResult {
  key: string
  label: string
  algorithm: string
  beta: number | null
  run: number
  model: { id: number; name: string }
  winRate: Series
  curves: Record<string, Series>
  /** Share of each response class among the sampled completions (sums to 1). */
  shares: Record<ResponseClass, number>
  sampleCount?: number
  samples: { prompt: string; text: string; class: ResponseClass }[]
}

export interface JudgeFindings {
  model: string
  run: number
  heldOut: { accuracy: number | null; logLoss: number | null; calibrationError: number | null }
  /** Mean P(a ≻ b) over prompts and phrasings for each option pair, beside the population's truth. */
  optionP: { a: Option; b: Option; p: number; truth: number }[]
}

export interface AnalysisInput {
  mode: DemoMode
  tag: string
  sizes: DemoSizes
  seed: number
  tau: number
  sft: { model: string; run: number; heldOutLoss: number | null }
  collected: { dataset: string; count: number; outcomes: Record<string, number>; byRater: Record<string, number> }
  preference: JudgeFindings
  reward: JudgeFindings
  policies: PolicyResult[]
  tournaments: { oracle: TournamentDetail; preference: TournamentDetail }
  exports: { model: string; folder: string; bytes: number }[]
  stages: { id: string; label: string; seconds: number | null }[]
  seconds: number
}

export interface PolicyAnalysis extends PolicyResult {
  /** max over response classes y of P(y ≻ π) − ½ under the oracle (0 only for an unbeatable mixture). */
  exploitability: number
  /** The same in the τ-regularised game against μ (zero only at π*_τ). */
  regularisedExploitability: number
  /** Total variation distance of the shares to π*_τ and to the population's Nash mixture. */
  distanceToRegularised: number
  distanceToNash: number
  /** Exact oracle win rate against the SFT policy from the shares: Σ π(y) μ(y′) P(y ≻ y′). */
  exactWinRateVsSft: number
}

export interface Verdict {
  beta: number
  against: 'self-play' | 'best response'
  /** Oracle tournament cell P(β-run ≻ opponent) with its Clopper–Pearson 95% interval and pairs. */
  p: number
  low: number
  high: number
  n: number
  /** The exact value from the option shares. */
  exact: number
  outcome: 'beat' | 'lost to' | 'could not be told apart from'
}

export interface DemoReport {
  version: 1
  createdAt: string
  mode: DemoMode
  tag: string
  seed: number
  sizes: DemoSizes
  seconds: number
  stages: { id: string; label: string; seconds: number | null }[]
  population: {
    raters: { name: string; share: number; ranking: Option[] }[]
    options: readonly Option[]
    /** P[i][j] = P(option i ≻ option j). */
    matrix: number[][]
    /** The maximal lottery of the population (unregularised Nash equilibrium) over the options. */
    nash: number[]
  }
  game: {
    classes: readonly ResponseClass[]
    /** The oracle's matrix over the classes (the three options and "other", not well formed). */
    matrix: number[][]
    tau: number
    /** μ: the SFT policy's class shares (floored at 1e-4 and renormalised, so the KL is finite). */
    mu: number[]
    /** π*_τ over the classes, by the game lab's Newton solver, and its fixed-point residual. */
    equilibrium: number[]
    residual: number
  }
  sft: AnalysisInput['sft']
  collected: AnalysisInput['collected']
  preference: JudgeFindings & { cyclic: boolean }
  reward: JudgeFindings & { cyclic: boolean; wrongPairs: string[] }
  policies: PolicyAnalysis[]
  /** exact[r][c] = P(policy c ≻ policy r) under the oracle, from the shares (a[r][c] + a[c][r] = 1). */
  exact: { players: string[]; matrix: number[][] }
  tournaments: { oracle: TournamentSection; preference: TournamentSection }
  verdicts: Verdict[]
  /** Plain sentences, each built from the numbers above. */
  findings: string[]
  exports: AnalysisInput['exports']
}

export interface TournamentSection {
  id: number
  name: string
  judge: string
  n: number
  result: TournamentOutcome
}

const percent = (x: number) => `${(x * 100).toFixed(1)}%`
const interval = (low: number, high: number) => `[${percent(low)}, ${percent(high)}]`

function tv(a: readonly number[], b: readonly number[]): number {
  return 0.5 * a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0)
}

/** Shares floored at `floor` and renormalised: a full-support distribution for the KL terms. */
function floored(shares: readonly number[], floor = 1e-4): number[] {
  const raised = shares.map((s) => Math.max(s, floor))
  const sum = raised.reduce((x, y) => x + y, 0)
  return raised.map((s) => s / sum)
}

/** P(policy c ≻ policy r) under the oracle from class shares. */
function exactPreference(c: readonly number[], r: readonly number[]): number {
  let p = 0
  responseClasses.forEach((y, i) => responseClasses.forEach((y2, j) => (p += c[i] * r[j] * classPreference(y, y2))))
  return p
}

export function analyse(input: AnalysisInput): DemoReport {
  const P = populationMatrix()
  const nash = Array.from(solveMatrixGame(P).row)
  const classes = responseClasses
  const C = classMatrix()
  const sharesOf = (p: PolicyResult) => classes.map((k) => p.shares[k])
  const sft = input.policies.find((p) => p.key === 'sft')!
  const mu = floored(sharesOf(sft))
  const game = preferenceGame(C, mu, input.tau)
  const eq = regularisedEquilibrium(game)
  const equilibrium = Array.from(eq.policy)
  const nashClasses = [...nash, 0]

  const policies: PolicyAnalysis[] = input.policies.map((p) => {
    const s = sharesOf(p)
    const against = classes.map((_, i) => s.reduce((sum, v, j) => sum + v * C[i][j], 0))
    return {
      ...p,
      exploitability: Math.max(...against) - 0.5,
      regularisedExploitability: exploitability(game, logOf(floored(s))),
      distanceToRegularised: tv(s, equilibrium),
      distanceToNash: tv(s, nashClasses),
      exactWinRateVsSft: exactPreference(s, sharesOf(sft)),
    }
  })
  const exactMatrix = policies.map((r) => policies.map((c) => exactPreference(sharesOf(c), sharesOf(r))))

  const section = (t: TournamentDetail): TournamentSection => ({ id: t.id, name: t.name, judge: t.judge, n: t.n, result: t.result! })
  const oracle = section(input.tournaments.oracle)

  // Intermediate β against self-play (β 0) and best response (β 1), in the oracle's tournament.
  const index = (key: string) => policies.findIndex((p) => p.key === key)
  const verdicts: Verdict[] = []
  for (const beta of [0.125, 0.25, 0.5]) {
    const i = index(`beta-${beta}`)
    for (const [key, against] of [['beta-0', 'self-play'], ['beta-1', 'best response']] as const) {
      const j = index(key)
      if (i < 0 || j < 0) continue
      const r = oracle.result
      const [p, low, high, n] = [r.matrix[j][i], r.ci_low[j][i], r.ci_high[j][i], r.n[j][i]]
      verdicts.push({ beta, against, p, low, high, n, exact: exactMatrix[j][i], outcome: low > 0.5 ? 'beat' : high < 0.5 ? 'lost to' : 'could not be told apart from' })
    }
  }

  const cyclicOf = (f: JudgeFindings) => f.optionP.every((x) => x.p > 0.5)
  const wrongPairs = input.reward.optionP.filter((x) => x.p > 0.5 !== x.truth > 0.5).map((x) => `${x.a} ≻ ${x.b}`)
  const findings: string[] = []
  const pairText = (f: JudgeFindings) => f.optionP.map((x) => `P(${x.a} ≻ ${x.b}) = ${x.p.toFixed(3)} (truth ${x.truth.toFixed(2)})`).join(', ')
  findings.push(
    `The pairwise preference model ${cyclicOf(input.preference) ? 'recovered the cycle' : 'did not recover the full cycle'}: ${pairText(input.preference)}; held-out accuracy ${input.preference.heldOut.accuracy === null ? 'n/a' : percent(input.preference.heldOut.accuracy)}, log-loss ${input.preference.heldOut.logLoss?.toFixed(3) ?? 'n/a'}.`,
  )
  findings.push(
    `The Bradley–Terry reward model implies ${pairText(input.reward)}; ${cyclicOf(input.reward) ? 'these form a cycle on average over phrasings, though each single reward ranks the options in a line' : `a single score ranks the options in a line, so it gets ${wrongPairs.length === 0 ? 'no pair wrong in direction (but cannot be cyclic)' : wrongPairs.join(' and ') + ' wrong in direction'}`}; held-out accuracy ${input.reward.heldOut.accuracy === null ? 'n/a' : percent(input.reward.heldOut.accuracy)}, log-loss ${input.reward.heldOut.logLoss?.toFixed(3) ?? 'n/a'}.`,
  )
  const shareText = (p: PolicyAnalysis) => classes.map((k) => `${k} ${percent(p.shares[k])}`).join(', ')
  const rlhf = policies.find((p) => p.key === 'rlhf')
  if (rlhf) {
    const top = optionNames.reduce((a, b) => (rlhf.shares[a] >= rlhf.shares[b] ? a : b))
    findings.push(`RLHF ended at ${shareText(rlhf)} (most on ${top}); its exploitability under the oracle is ${rlhf.exploitability.toFixed(3)} and its distance to π*_τ ${rlhf.distanceToRegularised.toFixed(3)}.`)
  }
  const best = [...policies].filter((p) => p.key !== 'sft').sort((a, b) => a.regularisedExploitability - b.regularisedExploitability)[0]
  if (best) findings.push(`Closest to the regularised equilibrium π*_τ (lowest regularised exploitability, ${best.regularisedExploitability.toFixed(4)}): ${best.label}, at ${shareText(best)}; π*_τ is ${classes.map((k, i) => `${k} ${percent(equilibrium[i])}`).join(', ')}.`)
  for (const beta of [0.125, 0.25, 0.5]) {
    const vs = verdicts.filter((v) => v.beta === beta)
    if (vs.length === 0) continue
    findings.push(`β ${beta} ${vs.map((v) => `${v.outcome} ${v.against} (oracle tournament P = ${percent(v.p)}, 95% interval ${interval(v.low, v.high)}, ${v.n} pairs; exact from shares ${percent(v.exact)})`).join(' and ')}.`)
  }
  const beats = verdicts.filter((v) => v.outcome === 'beat').length
  const loses = verdicts.filter((v) => v.outcome === 'lost to').length
  findings.push(
    beats === verdicts.length
      ? 'On this run, every intermediate β beat both self-play and best response.'
      : `On this run, intermediate β beat self-play or best response in ${beats} of ${verdicts.length} comparisons, lost in ${loses}, and the rest were within the intervals of a tie.`,
  )

  return {
    version: 1,
    createdAt: new Date().toISOString(),
    mode: input.mode,
    tag: input.tag,
    seed: input.seed,
    sizes: input.sizes,
    seconds: input.seconds,
    stages: input.stages,
    population: { raters: raterTypes.map((r) => ({ name: r.name, share: r.share, ranking: [...r.ranking] })), options: optionNames, matrix: P, nash },
    game: { classes, matrix: C, tau: input.tau, mu, equilibrium, residual: eq.residual },
    sft: input.sft,
    collected: input.collected,
    preference: { ...input.preference, cyclic: cyclicOf(input.preference) },
    reward: { ...input.reward, cyclic: cyclicOf(input.reward), wrongPairs },
    policies,
    exact: { players: policies.map((p) => p.label), matrix: exactMatrix },
    tournaments: { oracle, preference: section(input.tournaments.preference) },
    verdicts,
    findings,
    exports: input.exports,
  }
}
