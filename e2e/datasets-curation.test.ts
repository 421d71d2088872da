/**
 * Curation in the real UI against the real engine: import a CSV whose columns need a mapping,
 * search it, open a comparison, change its outcome from the keyboard, undo, and look at the
 * annotator and preference-health tabs. Screenshots go to test-output/screenshots/.
 */
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

/** Three judges over prompts with three answers each; "jazz" has a rock-paper-scissors cycle. */
function votesCsv(): string {
  const rows: string[][] = [['question', 'response_a', 'response_b', 'winner', 'judge', 'shown_left']]
  const topics = ['jazz', 'tea', 'chess', 'rain', 'maps', 'bread']
  topics.forEach((topic, t) => {
    const q = `What should I know about ${topic}?`
    const answers = [`A short note on ${topic}.`, `A longer, friendlier explanation of ${topic} with an example.`, `Nothing much about ${topic}.`]
    const cyclic = topic === 'jazz'
    const pairs: [number, number, string][] = [
      [0, 1, cyclic ? 'model_a' : 'model_b'],
      [1, 2, 'model_a'],
      [0, 2, cyclic ? 'model_b' : 'model_a'],
    ]
    pairs.forEach(([x, y, winner], k) => {
      const judge = ['ana', 'ben', 'chloe'][(t + k) % 3]
      rows.push([q, answers[x], answers[y], winner, judge, k % 2 === 0 ? 'a' : 'b'])
    })
    // A second opinion on the first pair, by another judge, sometimes disagreeing.
    rows.push([q, answers[0], answers[1], t % 2 === 0 ? 'tie' : 'model_b', ['ben', 'chloe', 'ana'][t % 3], 'b'])
  })
  return rows.map((r) => r.map((v) => (/[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')).join('\n') + '\n'
}

test('import a CSV with a column mapping, search, change an outcome and undo it', async () => {
  const { page } = wb
  const file = path.join(wb.dir, 'arena-votes.csv')
  fs.writeFileSync(file, votesCsv())

  await page.getByRole('heading', { name: 'Datasets', exact: true }).waitFor()
  await page.getByLabel('File to import').setInputFiles(file)
  // Not a layout Nashlab knows: the form switches to a column mapping guessed from the names.
  const preview = page.getByTestId('import-preview')
  await expect.poll(() => preview.textContent()).toContain('Recognised: column mapping: prompt, response a, response b, outcome')
  expect(await page.getByLabel('Format').inputValue()).toBe('map')
  expect(await page.getByLabel('Annotator column').inputValue()).toBe('judge')
  expect(await page.getByLabel('Shown-left column').inputValue()).toBe('shown_left')
  await page.getByLabel('Import into dataset').fill('arena')
  await wb.screenshot('datasets-curation-import')
  await page.getByRole('button', { name: 'Import', exact: true }).click()
  await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Imported 24 rows into arena')
  expect(await page.getByTestId('dataset-counts').textContent()).toContain('24 comparisons')
  // The next file is read as it comes: the form is back on auto-detect, its mapping gone.
  await expect.poll(() => page.getByLabel('Format').inputValue()).toBe('auto')
  expect(await page.getByRole('group', { name: 'Column mapping' }).count()).toBe(0)

  // Full-text search from the engine's FTS5 index.
  await page.getByLabel('Search comparisons').fill('jazz')
  await expect.poll(() => page.getByTestId('search-status').textContent()).toContain('4 matches')
  const table = page.getByRole('table', { name: 'Comparisons' })
  await expect.poll(() => table.locator('tbody tr').count()).toBe(4)
  await page.getByLabel('Search comparisons').fill('"friendlier explanation" jazz')
  await expect.poll(() => page.getByTestId('search-status').textContent()).toContain('3 matches')
  await wb.screenshot('datasets-curation-search')

  // Open the first match and make it a tie with the keyboard.
  const first = table.locator('tbody tr').first()
  const id = Number(await first.getAttribute('data-comparison'))
  const before = await wb.engine.call('datasets.comparison', { name: 'arena', id })
  await first.click()
  const detail = page.getByRole('complementary', { name: 'Comparison detail' })
  await expect.poll(() => detail.textContent()).toContain(`Comparison ${id}`)
  await page.keyboard.press('3')
  await expect.poll(() => detail.getByRole('status').textContent()).toBe(`Changed the outcome of comparison ${id} to tie.`)
  await expect.poll(() => first.locator('.badge').textContent()).toBe('Tie')
  expect((await wb.engine.call('datasets.comparison', { name: 'arena', id })).outcome).toBe('tie')
  await wb.screenshot('datasets-curation-detail')

  // Undo puts it back, in the UI and in the database.
  await page.keyboard.press('u')
  await expect.poll(() => detail.getByRole('status').textContent()).toBe(`Undid: Changed the outcome of comparison ${id} to tie.`)
  const label = { a: 'A wins', b: 'B wins', tie: 'Tie', both_bad: 'Both bad' }[before.outcome]
  await expect.poll(() => first.locator('.badge').textContent()).toBe(label)
  expect((await wb.engine.call('datasets.comparison', { name: 'arena', id })).outcome).toBe(before.outcome)

  // Flag, delete and undo the delete with the buttons.
  await detail.getByRole('button', { name: /^Flag/ }).click()
  await expect.poll(() => detail.textContent()).toContain('⚑ Flagged')
  await detail.getByRole('button', { name: /^Delete/ }).click()
  await expect.poll(() => table.locator(`tr[data-comparison="${id}"]`).count()).toBe(0)
  await detail.getByRole('button', { name: /^Undo/ }).click()
  await expect.poll(() => table.locator(`tr[data-comparison="${id}"]`).count()).toBe(1)
  // The restored comparison is the one open again.
  await expect.poll(() => detail.locator('h3').textContent()).toBe(`Comparison ${id}`)
  expect(await detail.getByRole('status').textContent()).toBe(`Undid: Deleted comparison ${id}.`)
  expect(await wb.engine.call('datasets.comparison', { name: 'arena', id })).toMatchObject({ flagged: true, outcome: before.outcome })
  await wb.screenshot('datasets-curation-undo')
})

test('the annotator table and the preference-health panel', async () => {
  const { page } = wb
  await page.getByRole('tab', { name: 'Annotators' }).click()
  const annotators = page.getByRole('table', { name: 'Annotators' })
  await expect.poll(() => annotators.locator('tbody tr').count()).toBe(3)
  expect(await page.locator('.summary').textContent()).toContain('6 pairs judged by more than one')
  await wb.screenshot('datasets-curation-annotators')

  await page.getByRole('tab', { name: 'Preference health' }).click()
  const health = page.locator('.health')
  await expect.poll(() => health.textContent()).toContain('Intransitivity')
  const report = await wb.engine.call('datasets.health', { name: 'arena' })
  expect(report.intransitivity.promptsWithCycles).toBe(1)
  expect(await health.textContent()).toContain('What should I know about jazz?')
  expect(report.leftWins.of).toBeGreaterThan(0)
  await wb.screenshot('datasets-curation-health')
})

test('unpaired feedback opens on its own tab', async () => {
  const { page } = wb
  const file = path.join(wb.dir, 'kto.jsonl')
  const rows = [
    { prompt: 'Is the sky blue?', completion: 'Yes, on a clear day.', label: true },
    { prompt: 'Is the sky blue?', completion: 'It is made of cheese.', label: false },
    { prompt: 'Boil water?', completion: 'At 100 °C at sea level.', label: true },
  ]
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n')
  await page.getByLabel('File to import').setInputFiles(file)
  await expect.poll(() => page.getByTestId('import-preview').textContent()).toContain('Recognised: TRL unpaired preference, standard')
  await page.getByLabel('Import into dataset').fill('kto')
  await page.getByRole('button', { name: 'Import', exact: true }).click()
  await expect.poll(() => page.getByTestId('dataset-counts').textContent()).toContain('3 feedback labels')
  const table = page.getByRole('table', { name: 'Feedback' })
  await expect.poll(() => table.locator('tbody tr').count()).toBe(3)
  expect(await table.locator('tbody tr').nth(1).textContent()).toContain('bad')
  await page.getByLabel('Search feedback').fill('cheese')
  await page.getByLabel('Search feedback').press('Enter')
  await expect.poll(() => table.locator('tbody tr').count()).toBe(1)
  await wb.screenshot('datasets-curation-feedback')
})
