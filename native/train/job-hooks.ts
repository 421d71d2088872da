import type { JobContext } from '../jobs/define'
import type { ChannelSender } from './channel'
import type { TrainingHooks } from './run-training'

/** A trainer's hooks inside a job: pause/cancel checks, progress, and metrics and checkpoints sent to the engine. */
export function trainingHooks(ctx: JobContext, sender: ChannelSender): TrainingHooks {
  return {
    check: () => ctx.check(),
    progress: (done, total) => ctx.progress({ done, total, unit: 'steps' }),
    metrics: (step, values) => sender.post({ type: 'metrics', step, values }),
    checkpoint: (step, folder) => sender.post({ type: 'checkpoint', step, folder }),
    warn: (message) => ctx.warn(message),
  }
}
