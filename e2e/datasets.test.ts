import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { openWorkbench, type Workbench } from './harness'

let wb: Workbench
beforeAll(async () => {
  wb = await openWorkbench({ route: '/datasets' })
})
afterAll(async () => {
  await wb?.close()
})

test('imports a JSONL file from the UI and pages through its rows', async () => {
  const { page } = wb
  const rows = Array.from({ length: 120 }, (_, i) =>
    JSON.stringify({ prompt: `Question ${i % 40}?`, chosen: `A careful answer ${i}.`, rejected: `A sloppy answer ${i}.` }),
  )
  const file = path.join(wb.dir, 'prefs.jsonl')
  fs.writeFileSync(file, rows.join('\n') + '\n')

  await page.getByRole('heading', { name: 'Datasets', exact: true }).waitFor()
  await page.getByLabel('File to import').setInputFiles(file)
  await page.getByLabel('Import into dataset').fill('helpfulness')
  await page.getByRole('button', { name: 'Import', exact: true }).click()

  await expect.poll(() => page.getByRole('status').textContent()).toContain('Imported 120 rows into helpfulness')
  const table = page.getByRole('table', { name: 'Comparisons' })
  await expect.poll(() => table.locator('tbody tr').count()).toBe(50)
  expect(await page.getByTestId('row-range').textContent()).toBe('Rows 1–50 of 120')
  expect(await table.locator('tbody tr').first().textContent()).toContain('A careful answer 0.')
  const listed = page.locator('[data-dataset="helpfulness"]')
  expect(await listed.textContent()).toMatch(/40\s*240\s*120/)

  await page.getByRole('button', { name: 'Next page' }).click()
  await expect.poll(() => page.getByTestId('row-range').textContent()).toBe('Rows 51–100 of 120')
  await wb.screenshot('datasets-imported')

  // The keyboard pages too.
  await page.getByLabel('Comparisons (arrow keys page)').press('ArrowRight')
  await expect.poll(() => page.getByTestId('row-range').textContent()).toBe('Rows 101–120 of 120')

  // What the UI shows is what the engine stored.
  const stored = await wb.engine.call('datasets.show', { name: 'helpfulness' })
  expect(stored.comparisons).toBe(120)
})

test('a file with a bad row shows the line and imports nothing', async () => {
  const { page } = wb
  const file = path.join(wb.dir, 'broken.jsonl')
  fs.writeFileSync(file, '{"prompt":"p","chosen":"x","rejected":"y"}\n{"prompt":"p","chosen":"x"}\n')
  await page.getByLabel('File to import').setInputFiles(file)
  await page.getByLabel('Import into dataset').fill('broken')
  await page.getByRole('button', { name: 'Import', exact: true }).click()
  const alert = page.getByRole('alert')
  await expect.poll(() => alert.textContent()).toContain('line 2: missing field "rejected"')
  await wb.screenshot('datasets-bad-row')
  const names = (await wb.engine.call('datasets.list', {})).map((d) => d.name)
  expect(names).not.toContain('broken')
})

test('deleting a dataset from the keyboard asks first, names what goes, and keeps the others', async () => {
  const { page } = wb
  const file = path.join(wb.dir, 'small.jsonl')
  fs.writeFileSync(file, [0, 1, 2].map((i) => JSON.stringify({ prompt: `Small ${i}?`, chosen: `yes ${i}`, rejected: `no ${i}` })).join('\n') + '\n')
  // The broken file before left the form on a column mapping; a new file starts from auto-detect.
  expect(await page.getByLabel('Format').inputValue()).toBe('map')
  await page.getByLabel('File to import').setInputFiles(file)
  expect(await page.getByLabel('Format').inputValue()).toBe('auto')
  await expect.poll(() => page.getByTestId('import-preview').textContent()).toContain('Recognised')
  expect(await page.getByRole('group', { name: 'Column mapping' }).count()).toBe(0)
  await page.getByLabel('Import into dataset').fill('scratch')
  await page.getByRole('button', { name: 'Import', exact: true }).click()
  await expect.poll(() => page.getByTestId('dataset-counts').textContent()).toContain('3 comparisons')

  const open = page.getByRole('button', { name: 'Delete dataset…' })
  // The button is disabled while the view is busy (the import's refresh): wait for the new dataset, enabled.
  await page.getByRole('heading', { name: 'scratch', exact: true }).waitFor()
  await expect.poll(() => open.isEnabled()).toBe(true)
  await open.focus()
  await page.keyboard.press('Enter')
  const dialog = page.getByRole('dialog', { name: 'Delete the dataset “scratch”?' })
  await dialog.waitFor()
  expect(await page.getByTestId('delete-dataset-contents').textContent()).toContain('with its 3 comparisons, 3 prompts, 6 responses')
  expect(await dialog.textContent()).toContain('cannot be undone')
  // Cancel has the focus: Enter alone deletes nothing, and Esc closes the dialog too.
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel')
  await wb.screenshot('datasets-delete-confirm')
  await page.keyboard.press('Escape')
  await expect.poll(() => dialog.isVisible()).toBe(false)
  expect((await wb.engine.call('datasets.list', {})).map((d) => d.name)).toContain('scratch')

  await open.focus()
  await page.keyboard.press('Enter')
  await dialog.waitFor()
  await page.keyboard.press('Tab')
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Delete dataset')
  await page.keyboard.press('Enter')
  await expect.poll(() => page.locator('[data-dataset="scratch"]').count()).toBe(0)
  await expect.poll(() => dialog.isVisible()).toBe(false)
  const names = (await wb.engine.call('datasets.list', {})).map((d) => d.name)
  expect(names).toEqual(['helpfulness'])
  expect((await wb.engine.call('datasets.show', { name: 'helpfulness' })).comparisons).toBe(120)
})
