import { beforeEach, expect, test, vi } from 'vitest'
import { answeringTransport, installFake, unexpected } from './fake-transport'
import { ApiError } from '../api/client'
import type { ConfigField, RunSummary } from '../../../native/api/contract'
import { toConfig, useTrainingStore, validate } from './training'

const fields: ConfigField[] = [
  { name: 'algorithm', group: 'algorithm', help: 'Which algorithm', kind: 'enum', required: false, default: 'nash-md-pg', choices: ['nash-md-pg', 'rlhf'] },
  { name: 'policy', group: 'models', help: 'The policy', kind: 'model', required: true },
  { name: 'preference', group: 'models', help: 'The judge', kind: 'model', required: true },
  { name: 'dataset', group: 'models', help: 'The prompts', kind: 'dataset', required: true },
  { name: 'tau', group: 'game', help: 'τ', kind: 'number', required: false, default: 0.05, minimum: 0, maximum: 10 },
  { name: 'beta', group: 'game', help: 'β', kind: 'number', required: false, default: 0.25, minimum: 0, maximum: 1, algorithms: ['nash-md-pg'] },
  { name: 'steps', group: 'optimisation', help: 'Steps', kind: 'integer', required: false, default: 200, minimum: 1 },
]

const summary = (id: number, status: RunSummary['status'] = 'running'): RunSummary => ({ id, algorithm: 'nash-md-pg', status, error: null, createdAt: '', updatedAt: '', lastStep: null, totalSteps: 20 })

/** The one mocked boundary: a transport answering runs.* from canned values, and pushing events on demand. */
function fakeTransport() {
  const runs: RunSummary[] = []
  const fake = answeringTransport(async (method, i) => {
    switch (method) {
      case 'runs.list':
        return runs
      case 'runs.metrics':
        return [{ name: 'loss', steps: [1], values: [0.5] }]
      case 'runs.show':
        return { ...runs.find((r) => r.id === i.run), config: { algorithm: 'nash-md-pg', policy: { id: 3, name: 'tiny' }, preference: { id: 4, name: 'judge', kind: 'preference' }, dataset: 'restaurants', tau: 0.1, steps: 20 }, checkpoints: [{ id: 1, run: i.run, step: 10, path: 'runs/1/checkpoints/step-00000010', createdAt: '' }], metricNames: ['loss'] }
      case 'runs.samples':
        return [{ step: 0, prompt: 'Where?', completion: 'Tacos.', createdAt: '' }]
      case 'runs.options':
        return { fields, algorithms: [{ name: 'nash-md-pg', summary: 'Nash-MD-PG' }] }
      case 'models.list':
        return [{ id: 3, name: 'tiny', kind: 'policy', run: null }, { id: 9, name: 'tiny-nash-md-pg-1', kind: 'policy', run: { id: 1, algorithm: 'nash-md-pg', status: 'completed' } }]
      case 'datasets.list':
        return [{ name: 'restaurants' }]
      case 'runs.start': {
        if (i.tau === 5) throw new ApiError({ code: 'invalid_input', message: 'Prompts of 64 tokens do not fit.', details: { field: 'maxTokens' } })
        const run = summary(runs.length + 1)
        runs.unshift(run)
        return run
      }
      case 'runs.pause':
      case 'runs.resume':
      case 'runs.cancel':
        return runs.find((r) => r.id === i.run)
      default:
        throw unexpected(method)
    }
  })
  return { ...fake, runs }
}

let fake: ReturnType<typeof fakeTransport>
beforeEach(() => {
  fake = installFake(fakeTransport())
})

test('the form opens with the defaults, checks what the engine would refuse, and starts the run', async () => {
  const store = useTrainingStore()
  await store.start()
  await store.openForm()
  expect(store.draft).toEqual({ algorithm: 'nash-md-pg', tau: 0.05, beta: 0.25, steps: 200 })
  expect(await store.startRun()).toBeNull()
  expect(store.formError).toEqual({ message: 'Choose the policy model: The policy.', field: 'policy' })
  store.setField('policy', 3)
  store.setField('preference', 4)
  store.setField('dataset', 'restaurants')
  store.setField('tau', 11)
  expect(await store.startRun()).toBeNull()
  expect(store.formError?.field).toBe('tau')
  store.setField('tau', 5)
  expect(await store.startRun()).toBeNull()
  // The engine's refusal names its field.
  expect(store.formError).toEqual({ message: 'Prompts of 64 tokens do not fit.', field: 'maxTokens' })
  store.setField('tau', 0.1)
  const run = await store.startRun()
  expect(run?.id).toBe(1)
  expect(fake.calls.find((c) => c.method === 'runs.start' && c.input.tau === 0.1)?.input).toEqual({ algorithm: 'nash-md-pg', policy: 3, preference: 4, dataset: 'restaurants', tau: 0.1, beta: 0.25, steps: 200 })
  expect(store.draft).toBeNull()
  expect(store.selected).toEqual([1])
})

test('β is left out for an algorithm that does not read it, and integers are checked', () => {
  expect(toConfig(fields, { algorithm: 'rlhf', beta: 0.3, tau: 0.1, steps: '' })).toEqual({ algorithm: 'rlhf', tau: 0.1 })
  expect(validate(fields, { policy: 1, preference: 2, dataset: 'd', steps: 2.5 })).toEqual({ message: 'steps must be a whole number.', field: 'steps' })
})

test('"new run from this one" fills the form with the run config, models by id', async () => {
  fake.runs.push(summary(1, 'completed'))
  const store = useTrainingStore()
  await store.start()
  await store.newFrom(1)
  expect(store.draft).toMatchObject({ algorithm: 'nash-md-pg', policy: 3, preference: 4, dataset: 'restaurants', tau: 0.1, steps: 20, beta: 0.25 })
})

test('pushed steps are appended in batches; samples and checkpoints of the focused run follow', async () => {
  vi.useFakeTimers()
  fake.runs.push(summary(1))
  const store = useTrainingStore()
  await store.start()
  expect(store.selected).toEqual([1])
  expect(store.samples).toHaveLength(1)
  expect(store.focus).toMatchObject({ run: 1, checkpoints: [{ step: 10 }], model: { name: 'tiny-nash-md-pg-1' } })
  for (let step = 2; step <= 4; step++) fake.push('runs.metrics', { run: 1, step, values: { loss: 1 / step, 'time/step': 0.5 } })
  expect(store.lines('loss')[0].steps).toEqual([1])
  vi.advanceTimersByTime(300)
  expect(store.lines('loss')[0].steps).toEqual([1, 2, 3, 4])
  expect(store.runs[0].lastStep).toBe(4)
  expect(store.eta(store.runs[0])).toBe(0.5 * 16)
  fake.push('runs.samples', { run: 1, step: 4, samples: [{ prompt: 'Where?', completion: 'Ramen.' }] })
  expect(store.samples.map((s) => s.step)).toEqual([0, 4])
  vi.useRealTimers()
  await store.pause(1)
  await store.resume(1)
  await store.cancel(1)
  expect(fake.calls.filter((c) => c.method.startsWith('runs.') && ['runs.pause', 'runs.resume', 'runs.cancel'].includes(c.method)).map((c) => c.method)).toEqual(['runs.pause', 'runs.resume', 'runs.cancel'])
  store.stop()
})
