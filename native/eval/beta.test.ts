import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { expect, test } from 'vitest'
import { betaQuantile, clopperPearson, incompleteBeta, logGamma } from './beta'

test('log-gamma matches factorials', () => {
  for (let n = 1; n < 20; n++) {
    let f = 1
    for (let i = 2; i < n; i++) f *= i
    expect(logGamma(n)).toBeCloseTo(Math.log(f), 10)
  }
  expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12)
})

test('incomplete beta against closed forms', () => {
  // I_x(1, b) = 1 − (1 − x)^b and I_x(a, 1) = x^a.
  for (const x of [0.01, 0.3, 0.77, 0.99]) {
    expect(incompleteBeta(x, 1, 3.5)).toBeCloseTo(1 - (1 - x) ** 3.5, 13)
    expect(incompleteBeta(x, 2.25, 1)).toBeCloseTo(x ** 2.25, 13)
  }
  expect(incompleteBeta(0.5, 7, 7)).toBeCloseTo(0.5, 14)
})

test('the quantile inverts the distribution function', () => {
  for (const [a, b] of [[0.5, 0.5], [3, 9], [120, 80], [1, 200]]) {
    for (const p of [0.001, 0.025, 0.5, 0.975]) expect(incompleteBeta(betaQuantile(p, a, b), a, b)).toBeCloseTo(p, 12)
  }
})

test('Clopper–Pearson on known cases', () => {
  // k = 0: upper = 1 − (α/2)^(1/n); k = n: lower = (α/2)^(1/n).
  expect(clopperPearson(0, 10)).toEqual([0, expect.closeTo(1 - 0.025 ** (1 / 10), 12)])
  expect(clopperPearson(10, 10)).toEqual([expect.closeTo(0.025 ** (1 / 10), 12), 1])
  const [lo, hi] = clopperPearson(50, 100)
  expect(lo).toBeCloseTo(0.39832, 4)
  expect(hi).toBeCloseTo(0.60168, 4)
})

const python = '/usr/bin/python3'
const hasScipy = fs.existsSync(python) && (() => {
  try {
    execFileSync(python, ['-c', 'import scipy.stats'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

test.runIf(hasScipy)('Clopper–Pearson agrees with scipy', () => {
  const cases = [[3, 17], [12.5, 40], [199, 200], [1, 1000]]
  const script = `import json, scipy.stats as s\nprint(json.dumps([[s.beta.ppf(0.025, k, n-k+1), s.beta.ppf(0.975, k+1, n-k)] for k, n in ${JSON.stringify(cases)}]))`
  const expected = JSON.parse(execFileSync(python, ['-c', script]).toString()) as [number, number][]
  cases.forEach(([k, n], i) => {
    const [lo, hi] = clopperPearson(k, n)
    expect(lo).toBeCloseTo(expected[i][0], 10)
    expect(hi).toBeCloseTo(expected[i][1], 10)
  })
})
