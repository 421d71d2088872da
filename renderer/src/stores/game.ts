import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type {
  AlgorithmInfo,
  AlgorithmName,
  DataMatrix,
  DatasetSummary,
  GamePreset,
  GameSolution,
  Input,
  PromptChoice,
  TournamentChoice,
} from '../../../native/api/contract'
import { client } from '../api/client'
import { useErrorStore } from './errors'
import { guarded } from './guard'

/** Where the matrix on screen came from. */
export interface GameSource {
  kind: 'preset' | 'random' | 'dataset' | 'tournament'
  label: string
  description: string
  /** One score per action where the story has one (restaurant ratings, Bradley–Terry scores). */
  scores: number[] | null
  edited: boolean
}

/** Most actions the editor offers (the engine accepts more). */
export const maxEditorActions = 10
/** Iterates the plots receive per run (log- and evenly spaced); the engine computes all of them. */
export const plotSamples = 600
/** Pause after the last edit before the run is sent, in milliseconds. */
export const solveDelay = 30

/** Short labels for long response texts (the full text stays in `titles`). */
function shortLabel(text: string, index: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length <= 18 ? oneLine || `#${index + 1}` : `${oneLine.slice(0, 16)}…`
}

/**
 * The game lab: the preference matrix being edited, μ, τ and the dynamics, and the series of the
 * latest run. Every edit schedules one run (edits in quick succession are coalesced), and answers
 * that arrive after a newer request was sent are dropped, so the plots follow the editor live.
 */
export const useGameStore = defineStore('game', () => {
  const errors = useErrorStore()
  const presets = ref<GamePreset[]>([])
  const algorithms = ref<AlgorithmInfo[]>([])
  const source = ref<GameSource | null>(null)
  const actions = ref<string[]>([])
  /** Full texts behind the action labels (responses loaded from a dataset). */
  const titles = ref<string[]>([])
  const P = ref<number[][]>([])
  /** μ up to scale: the editor keeps positive weights, μ is their normalisation. */
  const weights = ref<number[]>([])
  const tau = ref(0.1)
  const algo = ref<AlgorithmName>('nash-md')
  const stepMode = ref<'schedule' | 'constant'>('schedule')
  const eta = ref(0.1)
  const iters = ref(10_000)
  const solution = shallowRef<GameSolution | null>(null)
  /** Why the current settings cannot run (a sentence from the engine), shown beside the controls. */
  const problem = ref<string | null>(null)
  /** Round trip of the last run, in milliseconds. */
  const elapsed = ref<number | null>(null)
  /** Pairs never compared in loaded data, as [i, j]; their cells are ½. */
  const missing = ref<[number, number][]>([])
  const dataNote = ref<string | null>(null)
  const datasets = ref<DatasetSummary[]>([])
  const prompts = ref<PromptChoice[]>([])
  const tournaments = ref<TournamentChoice[]>([])
  const busy = ref(false)

  const n = computed(() => actions.value.length)
  const mu = computed(() => {
    const total = weights.value.reduce((a, b) => a + b, 0)
    return weights.value.map((w) => w / total)
  })
  const uniform = computed(() => weights.value.every((w) => w === weights.value[0]))
  const algorithm = computed(() => algorithms.value.find((a) => a.name === algo.value) ?? null)
  /** The step actually used: Nash-MD's schedule needs τ > 0; fictitious play takes none. */
  const effectiveStep = computed<'schedule' | 'constant' | 'none'>(() => {
    if (algo.value === 'fictitious-play') return 'none'
    if (algo.value === 'nash-md' && stepMode.value === 'schedule' && tau.value > 0) return 'schedule'
    return 'constant'
  })

  let sequence = 0
  let timer: ReturnType<typeof setTimeout> | null = null
  let pending: Promise<void> = Promise.resolve()
  let release: (() => void) | null = null

  /** The `game.solve` request for the settings on screen. */
  function request(): Input<'game.solve'> {
    return {
      P: P.value.map((row) => [...row]),
      mu: uniform.value ? null : mu.value,
      tau: tau.value,
      iters: iters.value,
      algo: algo.value,
      ...(effectiveStep.value === 'constant' ? { eta: eta.value } : {}),
      samples: plotSamples,
      actions: [...actions.value],
    }
  }

  /** Run now with the current settings; an answer overtaken by a newer request is dropped. */
  async function solveNow(): Promise<void> {
    const mine = ++sequence
    const started = performance.now()
    try {
      const result = await client().call('game.solve', request())
      if (mine !== sequence) return
      solution.value = result
      problem.value = null
      elapsed.value = performance.now() - started
    } catch (error) {
      if (mine !== sequence) return
      problem.value = error instanceof Error ? error.message : String(error)
    }
  }

  /** Schedule a run after a short pause; `flush()` resolves once it has answered. */
  function schedule() {
    if (timer) clearTimeout(timer)
    if (!release) pending = new Promise<void>((resolve) => (release = resolve))
    timer = setTimeout(() => {
      timer = null
      const done = release
      release = null
      void solveNow().finally(() => done?.())
    }, solveDelay)
  }

  /** Resolves when the scheduled run (if any) has answered. */
  function flush(): Promise<void> {
    return pending
  }

  const guard = guarded(busy, errors)

  /** Load presets and the dynamics, and open the first preset. */
  async function start() {
    await guard(async () => {
      const [p, a] = await Promise.all([client().call('game.presets', {}), client().call('game.algorithms', {})])
      presets.value = p
      algorithms.value = a
    })
    if (!source.value && presets.value.length > 0) applyPreset(presets.value[0])
  }

  function setGame(next: { actions: string[]; titles?: string[]; P: number[][]; mu: number[] | null }, from: Omit<GameSource, 'edited'>) {
    actions.value = [...next.actions]
    titles.value = next.titles ? [...next.titles] : [...next.actions]
    P.value = next.P.map((row) => [...row])
    weights.value = next.mu ? [...next.mu] : next.actions.map(() => 1)
    source.value = { ...from, edited: false }
    schedule()
  }

  function applyPreset(preset: GamePreset) {
    missing.value = []
    dataNote.value = null
    tau.value = preset.tau
    setGame(preset, { kind: 'preset', label: preset.name, description: preset.description, scores: preset.scores })
  }

  async function loadRandom(size: number, seed: number) {
    const preset = await guard(() => client().call('game.random', { n: size, seed }))
    if (!preset) return
    missing.value = []
    dataNote.value = null
    setGame(preset, { kind: 'random', label: preset.name, description: preset.description, scores: null })
  }

  function edited() {
    if (source.value) source.value = { ...source.value, edited: true }
    schedule()
  }

  /** Set P(i ≻ j) (clamped to [0, 1]); the mirrored cell follows so that P + Pᵀ = 1. */
  function setCell(i: number, j: number, value: number) {
    if (i === j || !Number.isFinite(value)) return
    const v = Math.min(1, Math.max(0, value))
    // A blur re-sends the value already kept; that is not an edit.
    if (P.value[i]?.[j] === v) return
    const next = P.value.map((row) => [...row])
    next[i][j] = v
    next[j][i] = 1 - v
    P.value = next
    edited()
  }

  function renameAction(i: number, name: string) {
    actions.value = actions.value.map((a, k) => (k === i ? name : a))
    titles.value = titles.value.map((t, k) => (k === i ? name : t))
    edited()
  }

  /** Add an action that ties with every other (cells ½), with the mean μ weight. */
  function addAction() {
    if (n.value >= maxEditorActions) return
    const used = new Set(actions.value)
    let label = String.fromCharCode(65 + n.value)
    for (let k = 0; used.has(label); k++) label = String.fromCharCode(65 + ((n.value + k) % 26)) + String(k + 1)
    P.value = [...P.value.map((row) => [...row, 0.5]), new Array<number>(n.value + 1).fill(0.5)]
    const mean = weights.value.reduce((a, b) => a + b, 0) / Math.max(1, weights.value.length)
    weights.value = [...weights.value, mean]
    actions.value = [...actions.value, label]
    titles.value = [...titles.value, label]
    missing.value = []
    edited()
  }

  function removeAction(k: number) {
    if (n.value <= 2) return
    const keep = (_: unknown, i: number) => i !== k
    P.value = P.value.filter(keep).map((row) => row.filter(keep))
    weights.value = weights.value.filter(keep)
    actions.value = actions.value.filter(keep)
    titles.value = titles.value.filter(keep)
    missing.value = []
    edited()
  }

  /** Set one μ weight (μ is the weights normalised); non-positive weights are refused. */
  function setWeight(i: number, w: number) {
    if (!(w > 0) || !Number.isFinite(w)) return
    weights.value = weights.value.map((v, k) => (k === i ? w : v))
    schedule()
  }

  function uniformReference() {
    weights.value = weights.value.map(() => 1)
    schedule()
  }

  function setTau(value: number) {
    if (!(value >= 0) || !Number.isFinite(value)) return
    tau.value = value
    schedule()
  }

  function setAlgorithm(name: AlgorithmName) {
    algo.value = name
    schedule()
  }

  function setStepMode(mode: 'schedule' | 'constant') {
    stepMode.value = mode
    schedule()
  }

  function setEta(value: number) {
    if (!(value > 0) || !Number.isFinite(value)) return
    eta.value = value
    schedule()
  }

  function setIterations(value: number) {
    if (!Number.isFinite(value)) return
    iters.value = Math.min(100_000, Math.max(1, Math.round(value)))
    schedule()
  }

  async function loadDatasets() {
    const list = await guard(() => client().call('datasets.list', {}))
    if (list) datasets.value = list
  }

  async function loadPrompts(dataset: string) {
    const list = await guard(() => client().call('game.datasetPrompts', { dataset, limit: 200 }))
    prompts.value = list ?? []
  }

  function setData(m: DataMatrix, label: string) {
    missing.value = m.missing
    const pairs = m.actions.length * (m.actions.length - 1) / 2
    dataNote.value =
      `${m.judgements} judgements` +
      (m.ignored > 0 ? ` (${m.ignored} left out: both bad or self-comparisons)` : '') +
      `; ${m.missing.length} of ${pairs} pairs never compared, set to ½.`
    const description = m.source === 'dataset' ? `Empirical P(y ≻ y′) among the responses to “${m.title}”.` : `Empirical P(column ≻ row) of tournament “${m.title}”.`
    setGame({ actions: m.actions.map(shortLabel), titles: m.actions, P: m.P, mu: null }, { kind: m.source, label, description, scores: null })
  }

  async function loadFromDataset(dataset: string, prompt?: number) {
    const m = await guard(() => client().call('game.fromDataset', { dataset, ...(prompt !== undefined ? { prompt } : {}) }))
    if (m) setData(m, `${dataset}: ${shortLabel(m.title, 0)}`)
  }

  async function loadTournaments() {
    const list = await guard(() => client().call('game.tournaments', {}))
    tournaments.value = list ?? []
  }

  async function loadFromTournament(id: number) {
    const m = await guard(() => client().call('game.fromTournament', { tournament: id }))
    if (m) setData(m, `Tournament ${m.title}`)
  }

  return {
    presets,
    algorithms,
    source,
    actions,
    titles,
    P,
    weights,
    mu,
    uniform,
    tau,
    algo,
    algorithm,
    stepMode,
    effectiveStep,
    eta,
    iters,
    n,
    solution,
    problem,
    elapsed,
    missing,
    dataNote,
    datasets,
    prompts,
    tournaments,
    busy,
    start,
    applyPreset,
    loadRandom,
    setCell,
    renameAction,
    addAction,
    removeAction,
    setWeight,
    uniformReference,
    setTau,
    setAlgorithm,
    setStepMode,
    setEta,
    setIterations,
    loadDatasets,
    loadPrompts,
    loadFromDataset,
    loadTournaments,
    loadFromTournament,
    solveNow,
    flush,
  }
})
