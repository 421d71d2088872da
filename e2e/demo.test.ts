import path from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { DemoService } from '../native/demo/service'
import { tinyDemoSizes } from '../native/demo/fixtures/tiny-sizes'
import type { DemoSizes } from '../native/demo/sizes'
import { openWorkbench, type Workbench } from './harness'

/** The tests' tiny demo, a little smaller still for the browser test (every stage runs). */
const tiny: DemoSizes = { ...tinyDemoSizes, sftSteps: 40, comparisons: 36, preferenceSteps: 2, maxTokens: 10 }

let wb: Workbench
beforeAll(async () => {
  wb = await openWorkbench()
})
afterAll(async () => {
  await wb?.close()
})

test('the workbench opens on the Demo view, follows the demo stage by stage, and shows its report', async () => {
  const { page } = wb
  await page.getByRole('heading', { name: /Demo: a rater population/ }).waitFor()
  expect(page.url()).toContain('#/demo')
  await expect.poll(async () => page.getByTestId('demo-state').textContent()).toContain('has not run')
  const stages = page.getByTestId('demo-stages').locator('li')
  expect(await stages.count()).toBe(17)
  await wb.screenshot('demo-idle')

  // The same service method the Run buttons call, at the tiny size.
  wb.engine.service(DemoService).start('quick', path.join(wb.dir, 'demo-out'), tiny)
  await page.locator('li[data-stage="sft"][data-status="done"]').waitFor({ timeout: 120_000 })
  await expect.poll(async () => page.getByTestId('demo-state').textContent()).toMatch(/running|newest report/)
  await page.getByTestId('demo-findings').waitFor({ timeout: 240_000 })
  expect(await page.locator('li[data-status="done"]').count()).toBe(17)
  expect(await page.getByTestId('demo-findings').textContent()).toContain('intermediate β')

  // The report inline (sandboxed) and on the server behind the token.
  const frame = page.frameLocator('[data-testid="demo-report"]')
  await frame.getByRole('heading', { name: /Nashlab demo report/ }).waitFor()
  expect(await frame.locator('#tournament').count()).toBe(1)
  const link = await page.getByTestId('demo-report-link').getAttribute('href')
  const served = await page.request.get(new URL(link!, wb.server.url).toString())
  expect(served.status()).toBe(200)
  expect(await served.text()).toContain('id="findings"')
  // Without the token (a plain request from outside the page): refused.
  const refused = await fetch(new URL('/demo/report.html', wb.server.url).toString())
  expect(refused.status).toBe(401)
  await wb.screenshot('demo-report')
}, 300_000)
