import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { createRestaurantPolicies, createTinyCheckpoint, restaurantPrompts } from '../native/eval/fixtures/tiny-models'
import { openWorkbench, screenshotDir, type Workbench } from './harness'

let wb: Workbench
beforeAll(async () => {
  wb = await openWorkbench()
  const dinner = await restaurantPrompts(wb.engine, wb.dir)
  // Three fine-tuned policies that each recommend one restaurant, and a random checkpoint of their base.
  const { base } = await createRestaurantPolicies(wb.engine, wb.dir, dinner)
  createTinyCheckpoint(wb.engine.db, wb.engine.dataDir, base, 20, 7)
  await wb.page.goto(`${wb.server.url}#/tournaments`)
})
afterAll(async () => {
  await wb?.close()
})

test('run a small tournament from the UI and read its heatmap, intervals, cycle, ratings and Nash mixture', async () => {
  const { page } = wb
  const players = ['tacos', 'pasta', 'sushi', 'base @ step 20']
  for (const box of await page.getByRole('checkbox').all()) await box.uncheck()
  for (const player of players) await page.getByLabel(`Player ${player}`, { exact: true }).check()
  await page.getByLabel('Judge').selectOption('oracle')
  await page.getByLabel('Prompt dataset').selectOption('dinner')
  await page.getByLabel('Pairs per cell').fill('200')
  await page.getByLabel('Max tokens').fill('64')
  await page.getByLabel('Tournament name').fill('restaurants')
  await page.getByRole('button', { name: 'Run tournament' }).click()

  const heatmap = page.getByTestId('heatmap')
  await heatmap.waitFor({ timeout: 60_000 })
  const detail = page.getByTestId('tournament-detail')
  expect(await detail.getByRole('heading', { name: 'restaurants' }).count()).toBe(1)
  // Sixteen cells: four diagonal dashes and twelve percentages, each pair summing to 100%.
  const values = await heatmap.locator('[data-cell] text').allTextContents()
  expect(values.filter((v) => v === '—')).toHaveLength(4)
  const pct = (r: number, c: number) => Number(values[r * 4 + c].replace('%', ''))
  for (let r = 0; r < 4; r++) for (let c = r + 1; c < 4; c++) expect(pct(r, c) + pct(c, r)).toBeCloseTo(100, 0)
  // The raters' cycle: tacos ≻ sushi ≻ pasta ≻ tacos (P(column ≻ row) above ½ each; the weakest
  // majority is 60 %, so 200 judged pairs keep a sampled cell on its side of ½) …
  expect(pct(2, 0)).toBeGreaterThan(50)
  expect(pct(1, 2)).toBeGreaterThan(50)
  expect(pct(0, 1)).toBeGreaterThan(50)
  expect(await page.getByTestId('cycle').first().textContent()).toMatch(/tacos ≻ sushi ≻ pasta ≻ tacos/)
  // … and the untrained checkpoint, which recommends nothing, loses to each of them.
  for (const c of [0, 1, 2]) expect(pct(3, c)).toBeGreaterThan(75)

  await heatmap.locator('[data-cell="2-0"]').hover()
  const tip = await page.getByTestId('heatmap-tooltip').textContent()
  expect(tip).toMatch(/P\(tacos ≻ sushi\)/)
  expect(tip).toMatch(/95% interval \d+(\.\d)?% – \d+(\.\d)?%/)
  expect(tip).toMatch(/200 judged pairs/)
  await wb.screenshot('tournament-heatmap')

  await page.mouse.move(0, 0)
  await page.getByTestId('standings').scrollIntoViewIfNeeded()
  await wb.screenshot('tournament-standings')
  expect(await page.getByTestId('standing').count()).toBe(4)
  const shares = await page.getByTestId('nash-bar').evaluateAll((bars) => bars.map((b) => parseFloat((b as HTMLElement).style.width)))
  expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0)
  // The maximal lottery mixes the three restaurants and gives the checkpoint nothing.
  expect(shares[3]).toBe(0)
  for (const s of shares.slice(0, 3)) expect(s).toBeGreaterThan(0)
  expect(await detail.textContent()).toMatch(/1200 pairs judged · 800 responses generated/)

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export the matrix as CSV' }).click()])
  expect(download.suggestedFilename()).toBe('restaurants.csv')
  const csv = fs.readFileSync((await download.path())!, 'utf8')
  expect(csv.split('\r\n')[0]).toBe('P(column > row),tacos,pasta,sushi,base @ step 20')
  const [svg] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export the matrix as SVG' }).click()])
  const svgText = fs.readFileSync((await svg.path())!, 'utf8')
  expect(svgText).toMatch(/^<\?xml/)
  expect(svgText).toContain('P(column ≻ row)')
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export the matrix as PNG' }).click()])
  expect(png.suggestedFilename()).toBe('restaurants.png')
  expect(fs.readFileSync((await png.path())!).subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]))
  fs.copyFileSync((await png.path())!, path.join(screenshotDir, 'tournament-export.png'))

  // The stored tournament is what the game lab reads.
  const [stored] = await wb.engine.call('tournaments.list', {})
  const game = await wb.engine.call('game.fromTournament', { tournament: stored.id })
  expect(game.actions).toEqual(players)
  expect(game.judgements).toBe(1200)
})
