import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { restaurantComparisons } from '../native/demo/restaurants'
import { ComparisonWriter, DatasetRepository } from '../native/store/datasets'
import { openWorkbench, type Workbench } from './harness'

let wb: Workbench
beforeAll(async () => {
  wb = await openWorkbench({ route: '/models' })
  const id = new DatasetRepository(wb.engine.db).ensure('restaurants')
  wb.engine.db.transaction(() => {
    const writer = new ComparisonWriter(wb.engine.db, id)
    for (const row of restaurantComparisons(240)) writer.add({ prompt: row.prompt, a: row.chosen, b: row.rejected, outcome: 'a', annotator: row.annotator })
  })()
  await wb.page.reload()
})
afterAll(async () => {
  await wb?.close()
})

test('creates a tiny model from the UI, fine-tunes it from the Training view, and streams its text in the playground', async () => {
  const { page } = wb

  // Create from an architecture, with a tokenizer trained on the dataset.
  await page.getByRole('heading', { name: 'Models', exact: true }).waitFor()
  await page.getByLabel('Model name', { exact: true }).fill('tiny')
  await page.getByLabel('d_model').fill('128')
  await page.getByLabel('Layers', { exact: true }).fill('4')
  await page.getByLabel('Heads').fill('4')
  await page.getByLabel('Context length').fill('256')
  await page.getByLabel('Tokenizer', { exact: true }).selectOption({ label: 'byte-level BPE trained on restaurants' })
  await page.getByLabel('Vocabulary size').fill('400')
  await page.getByRole('button', { name: 'Create model' }).click()
  await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Created tiny')
  const row = page.locator('[data-model="tiny"]')
  await expect.poll(() => row.textContent()).toContain('d 128 · 4 layers · 4 heads · context 256')
  expect(await page.locator('[data-detail="tiny"]').textContent()).toContain('fresh weights (seed 0), tokenizer trained on restaurants')
  const created = (await wb.engine.call('models.list', {})).find((m) => m.name === 'tiny')!
  expect(created).toMatchObject({ kind: 'policy', dataset: { name: 'restaurants' } })
  await wb.screenshot('models-created')

  // The Training view is in the navigation now that runs start from it.
  await page.getByRole('link', { name: 'Training' }).click()
  await page.getByRole('heading', { name: 'New SFT, preference or reward run' }).waitFor()
  await page.getByLabel('Run model').selectOption({ label: 'tiny' })
  await page.getByLabel('Steps').fill('120')
  await page.getByLabel('Learning rate').fill('0.005')
  await page.getByRole('button', { name: 'Start run' }).click()
  await expect.poll(async () => (await wb.engine.call('runs.list', {}))[0]?.status, { timeout: 90_000 }).toBe('completed')
  const run = (await wb.engine.call('runs.list', {}))[0]
  await expect.poll(() => page.locator(`[data-run="${run.id}"]`).textContent()).toMatch(/sft\s*completed/)
  await page.locator('[data-metric="loss"]').waitFor()
  await wb.screenshot('models-training-run')

  // The fine-tuned model shows its lineage: from tiny, made by the run, on the dataset.
  const tuned = (await wb.engine.call('models.list', {})).find((m) => m.parent?.name === 'tiny')!
  expect(tuned).toMatchObject({ run: { id: run.id, algorithm: 'sft' }, dataset: { name: 'restaurants' } })
  await page.getByRole('link', { name: 'Models' }).click()
  await page.locator(`[data-model="${tuned.name}"]`).click()
  const detail = page.locator(`[data-detail="${tuned.name}"]`)
  await expect.poll(() => detail.textContent()).toContain(`made by run ${run.id} (sft, completed)`)
  expect(await detail.getByRole('list', { name: 'Lineage' }).textContent()).toContain('tiny')
  const exportFolder = path.join(wb.dir, 'exported')
  await page.getByLabel('Export folder').fill(exportFolder)
  await detail.getByRole('button', { name: 'Export model' }).click()
  await expect.poll(() => detail.getByRole('status').textContent()).toContain(`Wrote 5 files to ${exportFolder}`)
  expect(fs.readdirSync(exportFolder)).toContain('model.onnx')
  await wb.screenshot('models-lineage-export')

  // The playground streams the samples' text as it is written. The untrained model rarely draws its
  // end token, so its 200 tokens take long enough to watch arriving.
  await page.getByRole('link', { name: 'Playground' }).click()
  await page.getByLabel('Model', { exact: true }).selectOption({ label: 'tiny' })
  await page.getByLabel('Samples').fill('2')
  await page.getByLabel('Max tokens').fill('200')
  // Record what sample 0 shows while it is written: its token count and text (a script string: the page, not Node, runs it).
  await page.evaluate(`(() => {
    const seen = (window.seen = [])
    new MutationObserver(() => {
      const card = document.querySelector('[data-sample="0"]')
      if (!card) return
      const tokens = parseInt(card.querySelector('[data-testid="tokens"]')?.textContent ?? '0', 10)
      const text = card.querySelector('[data-testid="completion"]')?.textContent ?? ''
      if (tokens > 0 && seen[seen.length - 1]?.tokens !== tokens) seen.push({ tokens, text })
    }).observe(document.body, { subtree: true, childList: true, characterData: true })
  })()`)
  await page.getByRole('button', { name: 'Generate', exact: true }).click()
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toContain('tokens from tiny')
  const seen = (await page.evaluate('window.seen')) as { tokens: number; text: string }[]
  const streamed = (await page.locator('[data-sample="0"] [data-testid="completion"]').textContent()) ?? ''
  // The card showed the completion growing, token by token, several times before it was complete.
  expect(seen.length).toBeGreaterThanOrEqual(3)
  for (let i = 1; i < seen.length; i++) expect(seen[i].tokens).toBeGreaterThan(seen[i - 1].tokens)
  expect(seen[0].text.length).toBeLessThan(streamed.length)
  expect(seen.at(-1)!.text).toBe(streamed)

  // The fine-tuned model answers like its data; what the page shows is what the engine samples.
  await page.getByLabel('Model', { exact: true }).selectOption({ label: tuned.name })
  await page.getByLabel('Temperature').fill('0.7')
  await page.getByRole('button', { name: 'Generate', exact: true }).click()
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toContain(`tokens from ${tuned.name}`)
  const final = (await page.locator('[data-sample="0"] [data-testid="completion"]').textContent()) ?? ''
  expect(final.length).toBeGreaterThan(10)
  const again = await wb.engine.call('generate.run', { model: tuned.id, prompts: ['Where should we go for dinner tonight?'], n: 2, settings: { temperature: 0.7, maxTokens: 200, seed: 0 } })
  expect(again.completions[0].text).toBe(final)
  await wb.screenshot('models-playground')
})
