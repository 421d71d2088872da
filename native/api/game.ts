import { z } from 'zod'
import { datasetName } from './datasets'
import { method } from './define'

/** The tabular dynamics of the game lab; every one starts from π_0 = μ. */
export const algorithmNames = ['nash-md', 'fictitious-play', 'mwu', 'omd', 'optimistic', 'extragradient'] as const
export type AlgorithmName = (typeof algorithmNames)[number]

/** One dynamics as the lab lists it. */
export interface AlgorithmInfo {
  name: AlgorithmName
  label: string
  /** What one step does, as a formula. */
  update: string
  /** Whether its default step is Nash-MD's schedule η_t = 2/(τ(t+2)) rather than a constant. */
  scheduled: boolean
  /** Whether it takes a step size at all (fictitious play does not). */
  stepped: boolean
}

/** Largest action count the lab accepts (the UI edits up to 10). */
export const maxActions = 100

/** `P[i][j] = P(i ≻ j)`: rows of finite numbers; squareness and P + Pᵀ = 1 are checked by the engine. */
export const preferenceMatrix = z.array(z.array(z.number()).max(maxActions)).min(1).max(maxActions)

/** A finite preference game as the lab shows it: a suggested starting point. */
export interface GamePreset {
  id: string
  name: string
  /** One paragraph: what the game shows. */
  description: string
  actions: string[]
  P: number[][]
  /** Suggested reference policy; null means uniform. */
  mu: number[] | null
  /** Suggested temperature τ. */
  tau: number
  /** A single score per action where the story has one (the restaurant ratings), else null. */
  scores: number[] | null
}

/** The series of one run, with the equilibrium it is measured against. */
export interface GameSolution {
  actions: string[]
  algo: AlgorithmName
  tau: number
  /** The constant step, or null for Nash-MD's schedule η_t = 2/(τ(t+2)) and for fictitious play. */
  eta: number | null
  iters: number
  /** The reference policy used (μ, uniform by default); π_0 = μ. */
  mu: number[]
  /** π*_τ (τ > 0), or the maximal lottery (τ = 0). */
  nash: number[]
  nashMethod: 'newton' | 'linear-program'
  /** Fixed-point residual max|π − softmax(log μ + P(· ≻ π)/τ)| (Newton) or duality gap (LP). */
  nashResidual: number
  /** The exploitability of `nash` itself (0 up to rounding). */
  nashExploitability: number
  /** π_T. */
  final: number[]
  /** Iterate index of each entry in the series (all of 0..T, or a log- and evenly spaced sample). */
  t: number[]
  /** KL(π*_τ, π_t) in nats. */
  kl: number[]
  /** 8/(τ²(t+1)), Nash-MD's bound for its scheduled step; null when τ = 0. */
  bound: number[] | null
  /** Exploitability of π_t: τ·log Σ μ e^{P(y ≻ π_t)/τ} + τ·KL(π_t‖μ) − ½ (τ > 0), max_y P(y ≻ π_t) − ½ (τ = 0). */
  exploitability: number[]
  /** π_t at each entry (for the simplex trajectory). */
  policies: number[][]
  /** Entries where KL exceeded the bound (0 is what the theorem promises for scheduled Nash-MD). */
  boundViolations: number
}

/** The maximal lottery (row player's maximin strategy) of a matrix and the game's value. */
export interface MatrixNash {
  nash: number[]
  value: number
}

/** An empirical preference matrix built from stored judgements. */
export interface DataMatrix {
  source: 'dataset' | 'tournament'
  /** The prompt's text, or the tournament's name. */
  title: string
  /** Response texts, or player labels. */
  actions: string[]
  /** Response ids, or player positions, in the order of `actions`. */
  ids: number[]
  /** P[i][j] = empirical P(i ≻ j), ties counted ½; ½ where a pair was never compared. */
  P: number[][]
  /** Judgements behind each cell (symmetric). */
  counts: number[][]
  /** Pairs [i, j] (i < j) never compared; their cells are ½. */
  missing: [number, number][]
  /** Judgements counted. */
  judgements: number
  /** Judgements left out: 'both_bad' outcomes and self-comparisons. */
  ignored: number
}

export interface PromptChoice {
  id: number
  text: string
  responses: number
  comparisons: number
}

export interface TournamentChoice {
  id: number
  name: string
  status: string
  players: number
}

export const gameSolveInput = z
  .object({
    P: preferenceMatrix,
    mu: z.array(z.number()).max(maxActions).nullish(),
    tau: z.number().min(0).max(1000),
    iters: z.number().int().min(0).max(1_000_000),
    algo: z.enum(algorithmNames).default('nash-md'),
    eta: z.number().positive().max(1e6).optional(),
    /** Keep about this many iterates in the series; absent keeps all T + 1 (what the CLI prints). */
    samples: z.number().int().min(2).max(1_000_001).optional(),
    actions: z.array(z.string().max(10_000)).max(maxActions).optional(),
  })
  .strict()

export const gameMethods = {
  'game.presets': method<GamePreset[]>()(z.object({}).strict(), 'Preference games the lab starts from (restaurants, rock-paper-scissors, Bradley–Terry, random)'),
  'game.algorithms': method<AlgorithmInfo[]>()(z.object({}).strict(), 'The dynamics the lab runs, with their update rules'),
  'game.random': method<GamePreset>()(
    z.object({ n: z.number().int().min(3).max(10).default(5), seed: z.number().int().min(0).max(2 ** 31).default(7) }).strict(),
    'A random non-transitive preference game of n actions from a seed',
  ),
  'game.solve': method<GameSolution>()(gameSolveInput, 'Run a tabular dynamics on a preference game and measure it against the exact equilibrium'),
  'game.nash': method<MatrixNash>()(z.object({ P: preferenceMatrix }).strict(), 'The maximal lottery of a matrix by linear programming'),
  'game.datasetPrompts': method<PromptChoice[]>()(
    z.object({ dataset: datasetName, limit: z.number().int().min(1).max(10_000).default(200) }).strict(),
    'Prompts of a dataset with at least two responses, most compared first',
  ),
  'game.fromDataset': method<DataMatrix>()(
    z.object({ dataset: datasetName, prompt: z.number().int().positive().optional() }).strict(),
    'The empirical preference matrix among the responses of one prompt (the most compared when none is named)',
  ),
  'game.tournaments': method<TournamentChoice[]>()(z.object({}).strict(), 'Tournaments whose matrices the lab can load'),
  'game.fromTournament': method<DataMatrix>()(
    z.object({ tournament: z.number().int().positive() }).strict(),
    "A tournament's preference matrix from its cells",
  ),
}
