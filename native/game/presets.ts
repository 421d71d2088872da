import type { GamePreset } from '../api/game'
import { solveMatrixGame } from './matrix-game'
import { seededRandom } from './random'

/**
 * The restaurant example: one score ranks A > B > C, but three equal groups of raters rank them
 * A > B > C, B > C > A and C > A > B, so A beats B, B beats C and C beats A, each by 2/3.
 */
export function restaurantPreset(): GamePreset {
  const two = 2 / 3
  const one = 1 - two
  return {
    id: 'restaurants',
    name: 'Restaurants (a cycle a score cannot see)',
    description:
      'Average ratings r(A) = 4.56, r(B) = 4 and r(C) = 3.8 rank the restaurants A > B > C, so a reward model sends everyone to A. ' +
      'But the raters are three equal groups ranking A > B > C, B > C > A and C > A > B: A beats B, B beats C and C beats A, each by 2/3. ' +
      'No single score represents that cycle; the Nash equilibrium mixes all three (exactly equally at τ = 0). ' +
      'The reference μ leans to the top-rated A, as a policy tuned on the scores would.',
    actions: ['A', 'B', 'C'],
    P: [
      [0.5, two, one],
      [one, 0.5, two],
      [two, one, 0.5],
    ],
    mu: [0.7, 0.2, 0.1],
    tau: 0.1,
    scores: [4.56, 4, 3.8],
  }
}

/** Rock-paper-scissors, started from a lopsided μ so the dynamics have somewhere to go. */
export function rockPaperScissorsPreset(): GamePreset {
  return {
    id: 'rock-paper-scissors',
    name: 'Rock-paper-scissors',
    description:
      'Each action beats one and loses to the other. The unregularised equilibrium is uniform; with τ > 0 it leans towards μ. ' +
      "Plain multiplicative weights circles the equilibrium without settling; Nash-MD's last iterate converges to it.",
    actions: ['Rock', 'Paper', 'Scissors'],
    P: [
      [0.5, 0, 1],
      [1, 0.5, 0],
      [0, 1, 0.5],
    ],
    mu: [0.6, 0.3, 0.1],
    tau: 0.1,
    scores: null,
  }
}

/** A transitive game from Bradley–Terry scores: P(i ≻ j) = σ(s_i − s_j). */
export function bradleyTerryPreset(scores: number[] = [2, 1, 0.5, 0]): GamePreset {
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))
  return {
    id: 'bradley-terry',
    name: 'Transitive (Bradley–Terry)',
    description:
      'Preferences that a single score does explain: P(i ≻ j) = σ(s_i − s_j). The best option is a Condorcet winner, ' +
      'so the maximal lottery (τ = 0) puts all its mass there, and π*_τ concentrates on it as τ → 0.',
    actions: scores.map((s, i) => `${String.fromCharCode(65 + i)} (s = ${s})`),
    P: scores.map((si, i) => scores.map((sj, j) => (i === j ? 0.5 : sigmoid(si - sj)))),
    mu: null,
    tau: 0.05,
    scores,
  }
}

/** P with cells P[i][j] (i < j) drawn uniformly and rounded to 0.01; P[j][i] = 1 − P[i][j]. */
function randomMatrix(n: number, seed: number): number[][] {
  const next = seededRandom(seed)
  const P = Array.from({ length: n }, () => new Array<number>(n).fill(0.5))
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = Math.round(100 * next()) / 100
      P[i][j] = v
      P[j][i] = Math.round(100 * (1 - v)) / 100
    }
  }
  return P
}

/**
 * A random non-transitive game of n ≥ 3 actions: the first seed from `seed` on whose maximal lottery
 * mixes at least three actions (a transitive game's is pure, so such a game has a cycle).
 */
export function randomPreset(n: number, seed: number): GamePreset {
  let used = seed
  let P = randomMatrix(n, used)
  for (let attempt = 0; attempt < 1000; attempt++) {
    const support = solveMatrixGame(P).row.filter((p) => p > 1e-9).length
    if (support >= 3) break
    used++
    P = randomMatrix(n, used)
  }
  return {
    id: `random-${n}-${used}`,
    name: `Random non-transitive (n = ${n}, seed ${used})`,
    description:
      'Each pair is compared with a random probability. The maximal lottery mixes at least three actions, ' +
      'so the preferences cycle somewhere and no ranking explains them.',
    actions: Array.from({ length: n }, (_, i) => String.fromCharCode(65 + i)),
    P,
    mu: null,
    tau: 0.1,
    scores: null,
  }
}

/** Every preset, in the order the lab lists them. */
export function presets(): GamePreset[] {
  return [restaurantPreset(), rockPaperScissorsPreset(), bradleyTerryPreset(), randomPreset(5, 7)]
}
