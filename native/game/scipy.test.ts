import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { regularisedEquilibrium } from './equilibrium'
import { preferenceGame } from './game'
import { solveMatrixGame } from './matrix-game'
import { randomDistribution, randomPreferences, seededRandom } from './random'
import { runGame } from './solve'

/** Debian's python3 with numpy and scipy (the pyenv python3 on PATH has neither). */
const python = '/usr/bin/python3'
const hasScipy = fs.existsSync(python) && spawnSync(python, ['-c', 'import numpy, scipy.optimize'], { encoding: 'utf8' }).status === 0

/**
 * An independent implementation: the maximal lottery by scipy's HiGHS linear program, π*_τ by
 * scipy.optimize.root on the logits, and scheduled Nash-MD in numpy.
 */
const script = String.raw`
import json, sys
import numpy as np
from scipy.optimize import linprog, root
games = json.load(sys.stdin)
out = []
for g in games:
    P = np.array(g["P"]); n = len(P); mu = np.array(g["mu"]); tau = g["tau"]
    # max v s.t. (pᵀP)_j ≥ v for all j, Σp = 1, p ≥ 0
    c = np.zeros(n + 1); c[-1] = -1
    A_ub = np.hstack([-P.T, np.ones((n, 1))]); b_ub = np.zeros(n)
    A_eq = np.hstack([np.ones((1, n)), np.zeros((1, 1))])
    lp = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=[1], bounds=[(0, None)] * n + [(None, None)], method="highs")
    def h(z):
        p = np.exp(z - z.max()); p /= p.sum()
        return z - np.log(mu) - P @ p / tau
    sol = root(h, np.log(mu), method="hybr", tol=1e-14)
    z = sol.x; p = np.exp(z - z.max()); p /= p.sum()
    # scheduled Nash-MD from μ
    pi = mu.copy(); kl = []
    for t in range(g["iters"] + 1):
        kl.append(float(np.sum(p * np.log(p / pi))))
        if t == g["iters"]: break
        eta = 2 / (tau * (t + 2))
        m = pi ** (1 - eta * tau) * mu ** (eta * tau); m /= m.sum()
        pi = m * np.exp(eta * (P @ m)); pi /= pi.sum()
    out.append({"lottery": lp.x[:n].tolist(), "value": float(lp.x[-1]), "equilibrium": p.tolist(), "kl": kl})
print(json.dumps(out))
`

describe.skipIf(!hasScipy)('cross-check against scipy and numpy', () => {
  it('agrees on maximal lotteries, π*_τ and the Nash-MD series of random games', () => {
    const next = seededRandom(17)
    const games = Array.from({ length: 12 }, (_, k) => {
      const n = 3 + (k % 6)
      return { P: randomPreferences(n, next), mu: randomDistribution(n, next), tau: [0.05, 0.2, 1][k % 3], iters: 200 }
    })
    const run = spawnSync(python, ['-c', script], { input: JSON.stringify(games), encoding: 'utf8' })
    expect(run.status, run.stderr).toBe(0)
    const reference = JSON.parse(run.stdout) as { lottery: number[]; value: number; equilibrium: number[]; kl: number[] }[]
    games.forEach((g, k) => {
      const lp = solveMatrixGame(g.P)
      expect(lp.value).toBeCloseTo(reference[k].value, 9)
      lp.row.forEach((p, i) => expect(p).toBeCloseTo(reference[k].lottery[i], 7))
      const game = preferenceGame(g.P, g.mu, g.tau)
      const e = regularisedEquilibrium(game)
      e.policy.forEach((p, i) => expect(p).toBeCloseTo(reference[k].equilibrium[i], 12))
      const series = runGame(game, { algo: 'nash-md', iters: g.iters })
      series.kl.forEach((kl, t) => expect(Math.abs(kl - reference[k].kl[t])).toBeLessThan(1e-10 + 1e-8 * kl))
    })
  })
})
