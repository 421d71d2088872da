import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { openWorkbench, type Workbench } from './harness'

let wb: Workbench
beforeAll(async () => {
  wb = await openWorkbench()
  const rows = Array.from({ length: 8 }, (_, i) => JSON.stringify({ prompt: `Prompt number ${i}`, chosen: `Helpful answer ${i}`, rejected: `Unhelpful answer ${i}` }))
  fs.writeFileSync(path.join(wb.dir, 'pool.jsonl'), rows.join('\n'))
  await wb.engine.call('datasets.import', { dataset: 'pool', path: path.join(wb.dir, 'pool.jsonl') })
  await wb.page.goto(`${wb.server.url}#/vote`)
})
afterAll(async () => {
  await wb?.close()
})

test('vote five pairs with the keyboard, undo one, and find four human votes in the dataset', async () => {
  const { page } = wb
  await page.getByLabel('Pairs from dataset').selectOption('pool')
  await page.getByLabel('Store votes in dataset').fill('my votes')
  await page.getByLabel('Annotator').fill('tester')
  await page.getByRole('button', { name: 'Start voting' }).click()
  await page.getByTestId('vote-prompt').waitFor()

  const keys = ['1', '2', 'ArrowLeft', '3', '4']
  for (const [i, key] of keys.entries()) {
    const before = await page.getByTestId('vote-prompt').textContent()
    await page.keyboard.press(key)
    await expect.poll(() => page.getByTestId('vote-progress').textContent()).toContain(`${i + 1} vote`)
    await expect.poll(() => page.getByTestId('vote-prompt').textContent()).not.toBe(before)
  }
  await wb.screenshot('vote-pair')
  await page.keyboard.press('u')
  await expect.poll(() => page.getByTestId('vote-progress').textContent()).toContain('4 votes')
  await expect.poll(() => page.getByRole('status').textContent()).toBe('Last vote undone')

  const stored = await wb.engine.call('datasets.comparisons', { name: 'my votes', limit: 100 })
  expect(stored.total).toBe(4)
  for (const row of stored.rows) expect(row).toMatchObject({ source: 'human', annotator: 'tester', shownLeft: expect.stringMatching(/^[ab]$/) })
  // Left/right choices map to the stored sides: the two "left" votes and one "right" vote.
  const sides = stored.rows.filter((r) => r.outcome === 'a' || r.outcome === 'b').map((r) => (r.outcome === r.shownLeft ? 'left' : 'right'))
  expect(sides.sort()).toEqual(['left', 'left', 'right'])
  expect(stored.rows.filter((r) => r.outcome === 'tie')).toHaveLength(1)
})
