import { describe, expect, it } from 'vitest'
import { NashlabError } from '../api/errors'
import { algorithmNames, startDynamics } from './algorithms'
import { preferenceGame } from './game'
import { randomDistribution, randomPreferences, seededRandom } from './random'
import { runGame } from './solve'
import { klFromLogs } from './vector'

const rockPaperScissors = [
  [0.5, 0, 1],
  [1, 0.5, 0],
  [0, 1, 0.5],
]

describe('Nash-MD with the scheduled step η_t = 2/(τ(t+2))', () => {
  it('keeps KL(π*_τ, π_t) ≤ 8/(τ²(t+1)) at every iterate on random games', () => {
    const next = seededRandom(21)
    let checked = 0
    const violations: string[] = []
    for (const tau of [4, 1, 0.3, 0.1, 0.03, 0.01]) {
      for (let k = 0; k < 6; k++) {
        const n = 2 + ((k * 3) % 9)
        const game = preferenceGame(randomPreferences(n, next), randomDistribution(n, next, 0.01), tau)
        const run = runGame(game, { algo: 'nash-md', iters: 3000 })
        expect(run.t.length).toBe(3001)
        for (let t = 0; t <= 3000; t++) {
          const bound = 8 / (tau * tau * (t + 1))
          if (run.bound![t] !== bound) violations.push(`τ = ${tau}, t = ${t}: bound ${run.bound![t]} ≠ ${bound}`)
          if (!(run.kl[t] <= bound)) violations.push(`τ = ${tau}, n = ${n}, t = ${t}: KL ${run.kl[t]} > ${bound}`)
          checked++
        }
        expect(run.boundViolations).toBe(0)
      }
    }
    expect(violations).toEqual([])
    expect(checked).toBe(36 * 3001)
  })

  it('converges in the last iterate: KL and exploitability fall towards 0', () => {
    const game = preferenceGame(randomPreferences(6, seededRandom(8)), null, 0.2)
    const run = runGame(game, { algo: 'nash-md', iters: 20_000, samples: 50 })
    const last = run.kl.length - 1
    expect(run.kl[last]).toBeLessThan(1e-6)
    expect(run.exploitability[last]).toBeLessThan(1e-6)
    expect(run.kl[last]).toBeLessThan(run.kl[0] * 1e-4)
  })
})

describe('rock-paper-scissors: plain multiplicative weights against Nash-MD', () => {
  it("multiplicative weights' last iterate keeps cycling while Nash-MD's converges", () => {
    const game = preferenceGame(rockPaperScissors, [0.6, 0.3, 0.1], 0.1)
    const T = 20_000
    const mwu = runGame(game, { algo: 'mwu', iters: T, eta: 0.1 })
    const nashMd = runGame(game, { algo: 'nash-md', iters: T })
    const tail = (v: number[]) => v.slice(T / 2)
    // Nash-MD: the distance to π*_τ shrinks to almost nothing and stays there.
    expect(Math.max(...tail(nashMd.kl))).toBeLessThan(1e-5)
    // Multiplicative weights: far from π*_τ all along, and the policy keeps moving: every action in
    // turn becomes the most likely one, again and again.
    expect(Math.min(...tail(mwu.kl))).toBeGreaterThan(0.05)
    const leaders = tail(mwu.policies.map((p) => p.indexOf(Math.max(...p))))
    const switches = leaders.filter((leader, i) => i > 0 && leader !== leaders[i - 1]).length
    expect(new Set(leaders).size).toBe(3)
    expect(switches).toBeGreaterThan(10)
    // Nash-MD's leader settles once and for all.
    const settled = tail(nashMd.policies.map((p) => p.indexOf(Math.max(...p))))
    expect(new Set(settled).size).toBe(1)
    // The exploitability tells the same story.
    expect(mwu.exploitability[T]).toBeGreaterThan(0.05)
    expect(nashMd.exploitability[T]).toBeLessThan(1e-5)
  })
})

describe('the baselines', () => {
  const game = preferenceGame(randomPreferences(5, seededRandom(13)), [0.1, 0.2, 0.3, 0.25, 0.15], 0.1)

  it('start from π_0 = μ', () => {
    for (const algo of algorithmNames) {
      const run = runGame(game, { algo, iters: 0 })
      expect(run.policies[0].map((p) => +p.toFixed(15))).toEqual([0.1, 0.2, 0.3, 0.25, 0.15])
    }
  })

  it('mirror descent, optimistic mirror descent and extragradient converge to π*_τ itself', () => {
    for (const algo of ['omd', 'optimistic', 'extragradient'] as const) {
      const run = runGame(game, { algo, iters: 3000, eta: 0.5, samples: 20 })
      expect(run.kl[run.kl.length - 1]).toBeLessThan(1e-20)
    }
  })

  it('fictitious play converges on average, slowly', () => {
    const run = runGame(game, { algo: 'fictitious-play', iters: 20_000, samples: 20 })
    const last = run.kl.length - 1
    expect(run.kl[last]).toBeLessThan(1e-6)
    expect(run.kl[last]).toBeGreaterThan(1e-20)
  })

  it('Nash-MD with a constant step settles on a biased point', () => {
    const run = runGame(game, { algo: 'nash-md', iters: 5000, eta: 1, samples: 20 })
    const last = run.policies.length - 1
    // It has stopped moving ...
    expect(klFromLogs(run.policies[last].map(Math.log), run.policies[last - 1].map(Math.log))).toBeLessThan(1e-20)
    // ... but not at π*_τ.
    expect(run.kl[run.kl.length - 1]).toBeGreaterThan(1e-6)
  })

  it('refuses steps that make no sense, with a sentence', () => {
    const cold = preferenceGame(rockPaperScissors, null, 0)
    expect(() => startDynamics(cold, 'nash-md')).toThrow(/needs tau > 0/)
    expect(() => startDynamics(game, 'nash-md', 20)).toThrow(/eta·tau ≤ 1/)
    expect(() => startDynamics(game, 'fictitious-play', 0.1)).toThrow(NashlabError)
    expect(() => startDynamics(game, 'mwu', -1)).toThrow(/positive/)
  })
})

describe('τ = 0 measures against the maximal lottery', () => {
  it('runs every algorithm on rock-paper-scissors with no bound', () => {
    const game = preferenceGame(rockPaperScissors, [0.5, 0.3, 0.2], 0)
    for (const algo of algorithmNames) {
      const run = runGame(game, { algo, iters: 200, eta: algo === 'fictitious-play' ? undefined : 0.1, samples: 10 })
      expect(run.bound).toBeNull()
      expect(run.target.method).toBe('linear-program')
      for (const p of run.target.policy) expect(p).toBeCloseTo(1 / 3, 14)
      for (const e of run.exploitability) expect(e).toBeGreaterThanOrEqual(0)
    }
  })
})
