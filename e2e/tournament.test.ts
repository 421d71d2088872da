import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { prompts } from '../native/demo/restaurants'
import { createTinyCheckpoint, createTinyPolicy, createTinyPreference } from '../native/eval/fixtures/tiny-models'
import { openWorkbench, type Workbench } from './harness'

let wb: Workbench
beforeAll(async () => {
  wb = await openWorkbench()
  const base = createTinyPolicy(wb.engine.db, wb.engine.dataDir, 'base', 1)
  createTinyCheckpoint(wb.engine.db, wb.engine.dataDir, base, 20, 7)
  createTinyPolicy(wb.engine.db, wb.engine.dataDir, 'other', 2)
  createTinyPreference(wb.engine.db, wb.engine.dataDir, 'tiny-judge', 3)
  fs.writeFileSync(path.join(wb.dir, 'dinner.jsonl'), prompts.map((prompt) => JSON.stringify({ prompt, chosen: 'Sushi.', rejected: 'Anywhere.' })).join('\n'))
  await wb.engine.call('datasets.import', { dataset: 'dinner', path: path.join(wb.dir, 'dinner.jsonl') })
  await wb.page.goto(`${wb.server.url}#/tournaments`)
})
afterAll(async () => {
  await wb?.close()
})

test('run a small tournament from the UI and read its heatmap, intervals, ratings and Nash mixture', async () => {
  const { page } = wb
  for (const player of ['base', 'base @ step 20', 'other']) await page.getByLabel(`Player ${player}`, { exact: true }).check()
  await page.getByLabel('Judge').selectOption({ label: 'Preference model: tiny-judge' })
  await page.getByLabel('Prompt dataset').selectOption('dinner')
  await page.getByLabel('Pairs per cell').fill('40')
  await page.getByLabel('Max tokens').fill('12')
  await page.getByLabel('Tournament name').fill('three tiny players')
  await page.getByRole('button', { name: 'Run tournament' }).click()

  const heatmap = page.getByTestId('heatmap')
  await heatmap.waitFor({ timeout: 60_000 })
  const detail = page.getByTestId('tournament-detail')
  expect(await detail.getByRole('heading', { name: 'three tiny players' }).count()).toBe(1)
  // Nine cells: three diagonal dashes and six percentages, each pair summing to 100%.
  const values = await heatmap.locator('[data-cell] text').allTextContents()
  expect(values.filter((v) => v === '—')).toHaveLength(3)
  const pct = (r: number, c: number) => Number(values[r * 3 + c].replace('%', ''))
  for (const [r, c] of [[0, 1], [0, 2], [1, 2]]) expect(pct(r, c) + pct(c, r)).toBeCloseTo(100, 0)

  await heatmap.locator('[data-cell="0-1"]').hover()
  const tip = await page.getByTestId('heatmap-tooltip').textContent()
  expect(tip).toMatch(/P\(base ≻ other\)/)
  expect(tip).toMatch(/95% interval \d+(\.\d)?% – \d+(\.\d)?%/)
  expect(tip).toMatch(/40 judged pairs/)
  await wb.screenshot('tournament-heatmap')

  await page.mouse.move(0, 0)
  await page.getByTestId('standings').scrollIntoViewIfNeeded()
  await wb.screenshot('tournament-standings')
  const standings = page.getByTestId('standing')
  expect(await standings.count()).toBe(3)
  const shares = await page.getByTestId('nash-bar').evaluateAll((bars) => bars.map((b) => parseFloat((b as HTMLElement).style.width)))
  expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0)
  expect(await detail.textContent()).toMatch(/120 pairs judged · 120 responses generated/)

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export the matrix as CSV' }).click()])
  expect(download.suggestedFilename()).toBe('three_tiny_players.csv')
  const csv = fs.readFileSync((await download.path())!, 'utf8')
  expect(csv.split('\r\n')[0]).toBe('P(column > row),other,base,base @ step 20')

  // The stored tournament is what the game lab reads.
  const [stored] = await wb.engine.call('tournaments.list', {})
  const game = await wb.engine.call('game.fromTournament', { tournament: stored.id })
  expect(game.actions).toEqual(['other', 'base', 'base @ step 20'])
  expect(game.judgements).toBe(120)
})
