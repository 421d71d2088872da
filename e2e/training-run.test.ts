import { afterAll, beforeAll, expect, test } from 'vitest'
import { seedTinyProject } from '../native/train/nashmd/fixtures/tiny-project'
import { openWorkbench, type Workbench } from './harness'

let wb: Workbench
beforeAll(async () => {
  wb = await openWorkbench()
  await seedTinyProject(wb.engine)
})
afterAll(async () => {
  await wb?.close()
})

test('a Nash-MD-PG run started from the form: live chart, cancel, resume, finish, its checkpoints and trained model, offered in Compare', async () => {
  const { page } = wb
  await page.goto(`${wb.server.url}#/training`)
  await page.getByRole('link', { name: 'Training' }).waitFor()
  await page.getByRole('button', { name: 'New run' }).click()
  const form = page.getByRole('form', { name: 'New run' })
  await form.waitFor()
  // Required fields are checked before the engine is asked.
  await form.getByRole('button', { name: 'Start run' }).click()
  await expect.poll(() => form.getByRole('alert').textContent()).toContain('Choose the policy model')
  await form.getByLabel('policy', { exact: true }).selectOption({ label: 'tiny (policy)' })
  await form.getByLabel('preference', { exact: true }).selectOption({ label: 'tiny-judge (preference)' })
  await form.getByLabel('dataset', { exact: true }).selectOption('restaurants')
  // The held-out win rate judged by the demo's rater population rather than the training judge.
  await form.getByLabel('evalJudge', { exact: true }).selectOption('oracle')
  expect(await form.locator('[data-field="tau"] .help').textContent()).toContain('KL regularisation')
  for (const [field, value] of [['steps', '300'], ['batch', '4'], ['maxTokens', '8'], ['evalEvery', '100'], ['samplesEvery', '50'], ['checkpointEvery', '50'], ['threads', '1']]) {
    await form.getByLabel(field, { exact: true }).fill(value)
  }
  await form.getByRole('button', { name: 'Start run' }).click()
  await form.waitFor({ state: 'detached' })

  const row = page.locator('[data-run]').first()
  const run = Number(await row.getAttribute('data-run'))
  expect(await row.textContent()).toContain('nash-md-pg')
  // The chart follows the run live.
  const loss = page.locator('[data-metric="loss"]')
  await loss.waitFor()
  const grad = page.locator('[data-metric="grad_norm"]')
  await grad.waitFor()
  const stepsShown = async () => Number((await row.locator('td.num').nth(1).textContent())!.split('/')[0])
  // Cancel soon after the count is seen to move: the run's length leaves room for a loaded machine.
  await expect.poll(stepsShown, { timeout: 30_000 }).toBeGreaterThanOrEqual(2)
  const early = await stepsShown()
  await expect.poll(stepsShown, { timeout: 30_000, interval: 20 }).toBeGreaterThan(early)

  await page.getByRole('button', { name: `Cancel run ${run}` }).click()
  await expect.poll(() => row.locator('.status').textContent(), { timeout: 30_000 }).toBe('cancelled')
  await expect.poll(() => page.locator('[data-checkpoint]').count()).toBeGreaterThanOrEqual(1)
  const stoppedAt = await stepsShown()
  expect(stoppedAt).toBeLessThan(300)

  await page.getByRole('button', { name: `Resume run ${run}` }).click()
  await expect.poll(() => row.locator('.status').textContent(), { timeout: 60_000 }).toBe('completed')
  expect(await stepsShown()).toBe(300)
  await expect.poll(() => page.locator('[data-checkpoint="300"]').count()).toBe(1)
  await expect.poll(() => page.locator('[data-trained-model]').textContent()).toContain(`tiny-nash-md-pg-${run}`)
  await expect.poll(() => page.locator('[data-sample-step="300"]').count()).toBe(1)
  expect(await page.locator('[data-metric="eval/win_rate"]').count()).toBe(1)
  const shown = await wb.engine.call('runs.show', { run })
  expect(shown.config.evalJudge).toMatchObject({ name: 'oracle', kind: 'oracle' })
  await page.getByLabel('Log scale').check()
  await wb.screenshot('training-run')

  // "New run from this one" opens the form with the run's settings.
  await page.getByRole('button', { name: `New run from run ${run}` }).click()
  await expect.poll(() => page.getByRole('form', { name: 'New run' }).getByLabel('steps', { exact: true }).inputValue()).toBe('300')
  expect(await page.getByRole('form', { name: 'New run' }).getByLabel('evalJudge', { exact: true }).inputValue()).toBe('oracle')

  // The trained model and the run's checkpoints are offered where models are picked, in Compare.
  await page.goto(`${wb.server.url}#/compare`)
  const picker = page.getByLabel('Model 1')
  await picker.waitFor()
  const labels = () => picker.locator('option').allTextContents()
  await expect.poll(labels).toEqual(expect.arrayContaining([`tiny-nash-md-pg-${run}`, expect.stringMatching(new RegExp(`^tiny-nash-md-pg-${run} @ step \\d+$`))]))

  // And in Models: the trained model, its lineage (the policy it was trained from, the run that made it) and the run's checkpoints.
  await page.getByRole('link', { name: 'Models' }).click()
  await page.locator(`[data-model="tiny-nash-md-pg-${run}"]`).click()
  const detail = page.locator(`[data-detail="tiny-nash-md-pg-${run}"]`)
  await detail.waitFor()
  const lineage = detail.getByRole('list', { name: 'Lineage' })
  await expect.poll(() => lineage.textContent()).toContain(`made by run ${run} (nash-md-pg, completed)`)
  expect(await lineage.textContent()).toContain('tiny — the model it was trained from')
  // The run's kept checkpoints (the newest few), the last at step 300, each exportable.
  const checkpoints = detail.getByRole('table', { name: 'Checkpoints' })
  await expect.poll(() => checkpoints.locator('[data-checkpoint]').count()).toBeGreaterThanOrEqual(2)
  expect(await checkpoints.locator('tbody tr').last().locator('td.num').allTextContents()).toEqual([expect.any(String), String(run), '300'])
  expect(await checkpoints.getByRole('button', { name: 'Export checkpoint' }).count()).toBe(await checkpoints.locator('[data-checkpoint]').count())
})
