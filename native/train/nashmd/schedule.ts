import type { BetaPiece } from '../../api/nashmd'
import { cosineSchedule, linearSchedule } from '../schedule'

/**
 * The schedules of a Nash-MD-PG run: pure functions of the 0-based step.
 *
 * β (the mixture coefficient of the opponent's logits (1 − β)·z_π + β·z_μ):
 *   constant:  β_t = beta
 *   linear:    β_t = beta + (betaEnd − beta) · t / (steps − 1)
 *   cosine:    β_t = betaEnd + ½ (beta − betaEnd)(1 + cos(π t / (steps − 1)))
 *   piecewise: β_t = the β of the last piece whose step ≤ t (before the first piece: beta)
 * The paper suggests decaying β as a natural extension (its conclusion); linear and cosine decay
 * from `beta` to `betaEnd` are two such decays, piecewise gives full control.
 */
export interface BetaScheduleConfig {
  betaSchedule: 'constant' | 'linear' | 'cosine' | 'piecewise'
  beta: number
  betaEnd: number
  betaPieces?: readonly BetaPiece[]
  steps: number
}

export function betaAt(c: BetaScheduleConfig, step: number): number {
  const span = Math.max(1, c.steps - 1)
  const progress = Math.min(1, Math.max(0, step / span))
  switch (c.betaSchedule) {
    case 'constant':
      return c.beta
    case 'linear':
      return c.beta + (c.betaEnd - c.beta) * progress
    case 'cosine':
      return c.betaEnd + 0.5 * (c.beta - c.betaEnd) * (1 + Math.cos(Math.PI * progress))
    case 'piecewise': {
      let beta = c.beta
      for (const piece of [...(c.betaPieces ?? [])].sort((a, b) => a.step - b.step)) if (piece.step <= step) beta = piece.beta
      return beta
    }
  }
}

/**
 * The learning rate: `warmup` steps of linear warmup from 0 (step t gives lr·(t + 1)/warmup), then
 * constant, or linear / cosine decay to `minLr` at the last step (native/train/schedule.ts).
 */
export interface LearningRateConfig {
  schedule: 'constant' | 'linear' | 'cosine'
  lr: number
  minLr: number
  warmup: number
  steps: number
}

export function learningRateAt(c: LearningRateConfig, step: number): number {
  if (c.schedule === 'linear') return linearSchedule(c.lr, c.warmup, c.steps, c.minLr)(step)
  if (c.schedule === 'cosine') return cosineSchedule(c.lr, c.warmup, c.steps, c.minLr)(step)
  return step < c.warmup ? (c.lr * (step + 1)) / c.warmup : c.lr
}
