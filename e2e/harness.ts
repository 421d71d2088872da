/**
 * End-to-end harness: a real engine on a fresh database file, the real local web server serving
 * the built renderer, and Debian's Chromium driven by playwright-core.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { Engine } from '../native/engine/engine'
import { rendererDist, projectRoot } from '../native/server/paths'
import { startServer, type RunningServer } from '../native/server/server'

export const screenshotDir = path.join(projectRoot, 'test-output', 'screenshots')

export const chromiumPath = process.env.NASHLAB_CHROMIUM ?? '/usr/bin/chromium'

export interface Workbench {
  engine: Engine
  server: RunningServer
  browser: Browser
  page: Page
  dir: string
  /** Save a screenshot under test-output/screenshots/NAME.png. */
  screenshot(name: string): Promise<string>
  close(): Promise<void>
}

export async function openWorkbench(options: { route?: string } = {}): Promise<Workbench> {
  if (!fs.existsSync(path.join(rendererDist, 'index.html'))) {
    throw new Error(`The renderer is not built (${rendererDist}); run "npm run build" before the end-to-end tests.`)
  }
  if (!fs.existsSync(chromiumPath)) throw new Error(`Chromium is not installed at ${chromiumPath} (apt-get install chromium).`)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-e2e-'))
  const engine = new Engine({ database: path.join(dir, 'nashlab.db'), mode: 'web' })
  const server = await startServer({ engine, staticDir: rendererDist, log: () => {} })
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } })
  const consoleErrors: string[] = []
  page.on('pageerror', (error) => consoleErrors.push(error.message))
  await page.goto(server.url + (options.route ? `#${options.route}` : ''))
  fs.mkdirSync(screenshotDir, { recursive: true })
  return {
    engine,
    server,
    browser,
    page,
    dir,
    async screenshot(name) {
      const file = path.join(screenshotDir, `${name}.png`)
      await page.screenshot({ path: file, fullPage: true })
      return file
    },
    async close() {
      await browser.close()
      await server.close()
      await engine.close()
      fs.rmSync(dir, { recursive: true, force: true })
      if (consoleErrors.length > 0) throw new Error(`page errors: ${consoleErrors.join('; ')}`)
    },
  }
}
