import { expect, test } from 'vitest'
import { betaAt, learningRateAt } from './schedule'

test('β schedules: constant, linear and cosine from beta to betaEnd, piecewise by step', () => {
  const base = { beta: 0.4, betaEnd: 0.1, steps: 11 }
  expect([0, 5, 10].map((t) => betaAt({ ...base, betaSchedule: 'constant' }, t))).toEqual([0.4, 0.4, 0.4])
  expect([0, 5, 10].map((t) => betaAt({ ...base, betaSchedule: 'linear' }, t))).toEqual([0.4, 0.25, 0.1].map((v) => expect.closeTo(v, 12)))
  expect([0, 5, 10].map((t) => betaAt({ ...base, betaSchedule: 'cosine' }, t))).toEqual([0.4, 0.25, 0.1].map((v) => expect.closeTo(v, 12)))
  expect(betaAt({ ...base, betaSchedule: 'cosine' }, 2)).toBeGreaterThan(betaAt({ ...base, betaSchedule: 'linear' }, 2))
  const pieces = [
    { step: 4, beta: 0.2 },
    { step: 0, beta: 0.375 },
    { step: 8, beta: 0 },
  ]
  expect([0, 3, 4, 7, 8, 10].map((t) => betaAt({ ...base, betaSchedule: 'piecewise', betaPieces: pieces }, t))).toEqual([0.375, 0.375, 0.2, 0.2, 0, 0])
})

test('the learning rate warms up linearly, then stays or decays to minLr at the last step', () => {
  const c = { lr: 1e-3, minLr: 1e-4, warmup: 4, steps: 14 }
  expect([0, 3, 4, 13].map((t) => learningRateAt({ ...c, schedule: 'constant' }, t))).toEqual([2.5e-4, 1e-3, 1e-3, 1e-3])
  expect(learningRateAt({ ...c, schedule: 'linear' }, 14)).toBeCloseTo(1e-4, 12)
  expect(learningRateAt({ ...c, schedule: 'cosine' }, 9)).toBeCloseTo(5.5e-4, 12)
})
