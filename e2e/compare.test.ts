import fs from 'node:fs'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { prompts } from '../native/demo/restaurants'
import { createTinyPolicy, createTinyPreference, restaurantPrompts } from '../native/eval/fixtures/tiny-models'
import { openWorkbench, type Workbench } from './harness'

let wb: Workbench
beforeAll(async () => {
  wb = await openWorkbench()
  const dinner = await restaurantPrompts(wb.engine, wb.dir)
  await createTinyPolicy(wb.engine, 'tiny-a', 1, dinner)
  await createTinyPolicy(wb.engine, 'tiny-b', 2, dinner)
  createTinyPreference(wb.engine.db, wb.engine.dataDir, 'tiny-judge', 3)
  await wb.page.goto(`${wb.server.url}#/compare`)
})
afterAll(async () => {
  await wb?.close()
})

test('compare two models side by side with streamed text, then vote blind on their responses', async () => {
  const { page } = wb
  await page.getByLabel('Prompt dataset').selectOption('dinner')
  await expect.poll(() => page.getByLabel('Prompt', { exact: true }).inputValue()).toBe(prompts[0])
  await expect.poll(() => page.getByLabel('Model 2').inputValue()).not.toBe('')
  await page.getByLabel('Max tokens').fill('64')

  // Count how often the response texts change on screen before the measured result arrives.
  await page.evaluate(() => {
    const w = window as unknown as { streamedUpdates: number }
    w.streamedUpdates = 0
    new MutationObserver(() => {
      if (document.querySelector('[data-testid="response-text"]') && !document.querySelector('[data-testid="response-stats"]')) w.streamedUpdates++
    }).observe(document.body, { subtree: true, characterData: true, childList: true })
  })
  await page.getByRole('button', { name: 'Generate side by side' }).click()
  await page.getByTestId('response-stats').nth(1).waitFor()
  const streamed = await page.evaluate(() => (window as unknown as { streamedUpdates: number }).streamedUpdates)
  expect(streamed).toBeGreaterThan(4)

  const cards = page.getByRole('article')
  await expect.poll(() => cards.count()).toBe(2)
  for (const name of ['tiny-a', 'tiny-b']) {
    const card = page.getByRole('article', { name: `Response of ${name}` })
    expect((await card.getByTestId('response-text').textContent())!.length).toBeGreaterThan(0)
    const stats = await card.getByTestId('response-stats').textContent()
    expect(stats).toMatch(/\d+ tokens/)
    expect(stats).toMatch(/log π -\d+\.\d\d/)
    expect(stats).toMatch(/log μ -\d+\.\d\d/)
  }
  const preferences = await page.getByTestId('compare-preferences').textContent()
  expect(preferences).toMatch(/P\(row ≻ column\) under tiny-judge/)
  expect(preferences).toMatch(/\d+\.\d%/)
  await wb.screenshot('compare-side-by-side')

  await page.getByLabel('Store responses and votes in dataset').fill('blind votes')
  await page.getByLabel('Vote annotator').fill('tester')
  await page.getByRole('button', { name: 'Vote blind on these' }).click()
  await page.getByTestId('vote-prompt').waitFor()
  expect(page.url()).toContain('#/vote')
  expect(await page.getByTestId('vote-prompt').textContent()).toBe(prompts[0])
  // Names stay hidden while voting.
  expect(await page.locator('main').textContent()).not.toMatch(/tiny-a|tiny-b/)
  await wb.screenshot('compare-vote-blind')
  await page.keyboard.press('1')
  await page.getByRole('status').filter({ hasText: 'The queue is done' }).waitFor()

  const stored = await wb.engine.call('datasets.comparisons', { name: 'blind votes', limit: 10 })
  expect(stored.rows).toHaveLength(1)
  expect(stored.rows[0]).toMatchObject({ source: 'human', annotator: 'tester' })
  const origins = wb.engine.db.prepare('SELECT player FROM response_origins ORDER BY player').pluck().all()
  expect(origins).toEqual(['model:1', 'model:2'])

  await page.getByRole('button', { name: 'Export as TRL JSONL' }).click()
  const exported = await page.getByTestId('vote-export').textContent()
  expect(exported).toMatch(/Wrote 1 rows/)
  const file = /to (\S+\.jsonl)/.exec(exported!)![1]
  const row = JSON.parse(fs.readFileSync(file, 'utf8').trim()) as Record<string, string>
  expect(Object.keys(row)).toEqual(['prompt', 'chosen', 'rejected', 'annotator'])
})
