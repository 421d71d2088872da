/**
 * Learning-rate schedules: pure functions of the step (0-based), fed to the train program's
 * `learning_rate` input each step.
 */
export type Schedule = (step: number) => number

/** Constant rate. */
export const constantSchedule = (lr: number): Schedule => () => lr

/** Linear warmup from 0 over `warmup` steps, then cosine decay to `minLr` at `total` steps (nanoGPT's). */
export function cosineSchedule(lr: number, warmup: number, total: number, minLr = 0): Schedule {
  return (step) => {
    if (step < warmup) return (lr * (step + 1)) / warmup
    if (step >= total) return minLr
    const progress = (step - warmup) / Math.max(1, total - warmup)
    return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress))
  }
}

/** Linear warmup, then linear decay to `minLr` at `total` steps. */
export function linearSchedule(lr: number, warmup: number, total: number, minLr = 0): Schedule {
  return (step) => {
    if (step < warmup) return (lr * (step + 1)) / warmup
    if (step >= total) return minLr
    return lr + ((minLr - lr) * (step - warmup)) / Math.max(1, total - warmup)
  }
}
