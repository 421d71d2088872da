import { afterAll, beforeAll, expect, test } from 'vitest'
import { openWorkbench, type Workbench } from './harness'

let wb: Workbench
beforeAll(async () => {
  wb = await openWorkbench()
})
afterAll(async () => {
  await wb?.close()
})

test('the dashboard draws logged metrics and follows steps pushed live', async () => {
  const runs = wb.engine.runs
  const run = runs.runs.create('nash-md-pg', { steps: 40, tau: 0.008, beta: 0.25 })
  runs.setStatus(run, 'running')
  for (let step = 1; step <= 10; step++) runs.logMetrics(run, step, { loss: 1 / step, 'rewards/probabilities': 0.5 + step / 100 })

  const { page } = wb
  await page.goto(`${wb.server.url}#/training`)
  const loss = page.locator('[data-metric="loss"]')
  await loss.waitFor()
  await expect.poll(() => loss.locator('.last').textContent()).toContain('0.1000')
  expect(await loss.textContent()).toContain('surrogate loss')
  expect(await page.locator(`[data-run="${run}"]`).textContent()).toMatch(/nash-md-pg\s*running[^/]*10 \/ 40/)

  // Steps logged while the page is open arrive over the WebSocket and extend the chart.
  for (let step = 11; step <= 20; step++) runs.logMetrics(run, step, { loss: 0.05, 'rewards/probabilities': 0.7 })
  await expect.poll(() => loss.locator('.last').textContent()).toContain('0.05000')
  await expect.poll(() => page.locator(`[data-run="${run}"]`).textContent()).toMatch(/20 \/ 40/)
  await page.getByLabel('Log scale').check()
  await wb.screenshot('training-dashboard')
  expect(await page.locator('[data-metric] canvas').count()).toBeGreaterThanOrEqual(2)
})
