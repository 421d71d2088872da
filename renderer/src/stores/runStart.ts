import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { DatasetSummary, JobSummary, ModelSummary, TrainStarted } from '../../../native/api/contract'
import { client } from '../api/client'
import { useErrorStore } from './errors'
import { guarded } from './guard'

export type RunKind = 'sft' | 'pairwise' | 'bt'

export interface RunForm {
  kind: RunKind
  /** SFT: the policy to fine-tune; preference: optional policy to start the trunk from. */
  model: number | null
  dataset: string
  steps: number
  lr: number
  batch: number
  optimizer: 'adamw' | 'sgd'
  seed: number
  /** SFT only: train LoRA adapters (rank 8) instead of every weight. */
  lora: boolean
}

/**
 * Starting training runs from the Training view (SFT of a policy, a pairwise preference model or a
 * Bradley–Terry reward model) and controlling their jobs: pause, resume, cancel; a cancelled or
 * failed run resumes from its last checkpoint.
 */
export const useRunStartStore = defineStore('runStart', () => {
  const errors = useErrorStore()
  const models = ref<ModelSummary[]>([])
  const datasets = ref<DatasetSummary[]>([])
  /** Run → the job running it (for the runs started here). */
  const jobs = ref<Record<number, string>>({})
  const jobStatus = ref<Record<string, JobSummary['status']>>({})
  const busy = ref(false)
  const last = ref<TrainStarted | null>(null)
  let unsubscribe: (() => void) | null = null

  async function start() {
    unsubscribe ??= client().on('jobs.changed', (job) => {
      jobStatus.value = { ...jobStatus.value, [job.id]: job.status }
    })
    try {
      const [m, d] = await Promise.all([client().call('models.list', {}), client().call('datasets.list', {})])
      models.value = m
      datasets.value = d
    } catch (error) {
      errors.report(error)
    }
  }

  function stop() {
    unsubscribe?.()
    unsubscribe = null
  }

  const guard = guarded(busy, errors)

  async function launch(form: RunForm): Promise<TrainStarted | undefined> {
    const settings = { steps: form.steps, lr: form.lr, batch: form.batch, optimizer: form.optimizer, seed: form.seed }
    const started = await guard(() =>
      form.kind === 'sft'
        ? client().call('train.sft', { model: form.model!, dataset: form.dataset, settings, ...(form.lora ? { adapter: 'lora' as const } : {}) })
        : client().call('train.preference', { dataset: form.dataset, kind: form.kind === 'pairwise' ? 'pairwise' : 'bt', ...(form.model !== null ? { from: form.model } : {}), settings }),
    )
    if (started) {
      jobs.value = { ...jobs.value, [started.run.id]: started.job }
      last.value = started
    }
    return started
  }

  async function pause(run: number) {
    const job = jobs.value[run]
    if (job) await guard(() => client().call('jobs.pause', { id: job }))
  }

  async function resume(run: number) {
    const job = jobs.value[run]
    if (job && jobStatus.value[job] === 'paused') {
      await guard(() => client().call('jobs.resume', { id: job }))
      return
    }
    // Not paused: the run was cancelled or failed; continue it from its last checkpoint.
    const started = await guard(() => client().call('train.resume', { run }))
    if (started) jobs.value = { ...jobs.value, [run]: started.job }
  }

  async function cancel(run: number) {
    await guard(() => client().call('train.cancel', { run }))
  }

  return { models, datasets, jobs, jobStatus, busy, last, start, stop, launch, pause, resume, cancel }
})
