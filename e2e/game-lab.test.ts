import path from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { projectRoot } from '../native/server/paths'
import { openWorkbench, type Workbench } from './harness'

let wb: Workbench
beforeAll(async () => {
  wb = await openWorkbench({ route: '/game' })
  // The app scrolls inside its main pane, so a tall window is what shows every plot in a screenshot.
  await wb.page.setViewportSize({ width: 1360, height: 1500 })
})
afterAll(async () => {
  await wb?.close()
})

/** What the four plots draw right now: path data, bar heights, and the summary line. */
async function drawn() {
  const { page } = wb
  return {
    kl: await page.getByTestId('kl-plot').locator('path[data-series="KL(π*, π_t)"]').getAttribute('d'),
    exploitability: await page.getByTestId('exploitability-plot').locator('path[data-series]').first().getAttribute('d'),
    trajectory: (await page.getByTestId('trajectory-plot').locator('path[data-series="trajectory"]').evaluateAll((paths) => paths.map((p) => p.getAttribute('d')))).join(''),
    bars: await page.getByTestId('policy-plot').locator('rect[data-bar]').evaluateAll((rects) => rects.map((r) => r.getAttribute('height')).join(',')),
    finalKl: await page.getByTestId('final-kl').textContent(),
  }
}

test('editing a cell of the restaurant game redraws every plot, with the bound drawn', async () => {
  const { page } = wb
  await page.getByRole('heading', { name: 'Game lab' }).waitFor()
  await page.getByTestId('kl-plot').locator('path[data-series="KL(π*, π_t)"]').waitFor({ state: 'attached' })
  expect(await page.getByTestId('kl-plot').locator('path[data-series="8/(τ²(t+1))"]').count()).toBe(1)
  // The cycle: A beats B by 2/3 while the scores rank A first.
  expect(await page.getByLabel('P(A ≻ B)').inputValue()).toBe('0.6667')
  expect(await page.getByTestId('game-summary').textContent()).toContain('holds at every plotted iterate')
  const before = await drawn()
  await wb.screenshot('game-lab-restaurants')

  await page.getByLabel('P(A ≻ B)').fill('0.9')
  await expect.poll(async () => (await drawn()).kl).not.toBe(before.kl)
  const after = await drawn()
  expect(after.exploitability).not.toBe(before.exploitability)
  expect(after.trajectory).not.toBe(before.trajectory)
  expect(after.bars).not.toBe(before.bars)
  // The mirrored cell follows: P(B ≻ A) = 1 − 0.9.
  expect(await page.getByLabel('P(B ≻ A)').inputValue()).toBe('0.1')

  // The equilibrium on screen is the engine's for the edited matrix.
  const two = 2 / 3
  const engine = await wb.engine.call('game.solve', {
    P: [
      [0.5, 0.9, 1 - two],
      [1 - 0.9, 0.5, two],
      [two, 1 - two, 0.5],
    ],
    mu: [0.7, 0.2, 0.1],
    tau: 0.1,
    iters: 1,
  })
  const summary = await page.getByTestId('game-summary').textContent()
  for (const [i, a] of ['A', 'B', 'C'].entries()) expect(summary).toContain(`${a} ${engine.nash[i].toFixed(3)}`)
  await wb.screenshot('game-lab-edited')
})

test('rock-paper-scissors: multiplicative weights cycles for 10⁵ iterations, Nash-MD converges', async () => {
  const { page } = wb
  await page.getByLabel('Game').selectOption({ label: 'Rock-paper-scissors' })
  await expect.poll(() => page.getByLabel('P(Rock ≻ Paper)').inputValue()).toBe('0')
  await page.getByLabel('Iterations T', { exact: true }).fill('100000')
  await page.getByLabel('Iterations T', { exact: true }).press('Enter')
  await expect.poll(() => page.getByTestId('game-summary').textContent()).toContain('after T = 100 000')
  const nashMd = Number(await page.getByTestId('final-kl').getAttribute('data-value'))
  expect(nashMd).toBeLessThan(1e-6)
  await wb.screenshot('game-lab-rps-nash-md')

  await page.getByLabel('Dynamics').selectOption({ label: 'Multiplicative weights' })
  await expect.poll(() => page.getByTestId('game-summary').textContent()).toContain('scheduled Nash-MD only')
  const mwu = Number(await page.getByTestId('final-kl').getAttribute('data-value'))
  expect(mwu).toBeGreaterThan(0.05)
  await wb.screenshot('game-lab-rps-mwu')
})

test('a dataset prompt becomes a game: the demo raters cycle', async () => {
  const { page } = wb
  await wb.engine.call('datasets.import', { dataset: 'restaurants', path: path.join(projectRoot, 'resources', 'demo', 'restaurants.jsonl') })
  await page.getByLabel('Game').selectOption({ label: 'From a dataset…' })
  await page.getByLabel('Dataset').selectOption('restaurants')
  await page.getByRole('button', { name: 'Load' }).click()
  await expect.poll(() => page.getByTestId('data-note').textContent()).toContain('judgements')
  const note = await page.getByTestId('data-note').textContent()
  expect(note).toContain('0 of 3 pairs never compared')
  await page.getByLabel('Dynamics').selectOption({ label: 'Nash-MD' })
  await page.getByLabel('Iterations T', { exact: true }).fill('10000')
  await page.getByLabel('Iterations T', { exact: true }).press('Enter')
  await expect.poll(() => page.getByTestId('game-summary').textContent()).toContain('holds at every plotted iterate')
  await wb.screenshot('game-lab-dataset')
})

test('five actions at τ = 0: the policy lines replace the simplex and the target is the maximal lottery', async () => {
  const { page } = wb
  await page.getByLabel('Game').selectOption({ index: 3 })
  await expect.poll(() => page.getByLabel('Preference matrix').locator('tbody tr').count()).toBe(5)
  await page.getByLabel('Dynamics').selectOption({ label: 'Extragradient (mirror-prox)' })
  await page.getByRole('checkbox', { name: 'τ = 0 (maximal lottery)' }).check()
  await expect.poll(() => page.getByTestId('game-summary').textContent()).toContain('maximal lottery (τ = 0)')
  expect(await page.getByTestId('kl-plot').locator('path[data-series="8/(τ²(t+1))"]').count()).toBe(0)
  expect(await page.getByTestId('trajectory-plot').locator('path[data-series]').count()).toBe(5)
  const lottery = await wb.engine.call('game.nash', { P: (await wb.engine.call('game.presets', {}))[3].P })
  const summary = await page.getByTestId('game-summary').textContent()
  for (const [i, a] of ['A', 'B', 'C', 'D', 'E'].entries()) expect(summary).toContain(`${a} ${lottery.nash[i].toFixed(3)}`)
  await wb.screenshot('game-lab-random-cold')
})
