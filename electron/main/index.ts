/**
 * Electron's main process: one window on the engine. The engine runs in this process (its heavy
 * work runs in worker threads); the renderer reaches it only through the preload bridge.
 */
import { app, BrowserWindow, ipcMain, Menu, session, shell, type WebContents } from 'electron'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { channels, type BridgeReply } from '../../native/api/bridge'
import { toErrorShape } from '../../native/api/errors'
import { Engine } from '../../native/engine/engine'
import { defaultDatabase } from '../../native/store/paths'
import { buildMenu } from './menu'
import { seedDemo } from '../../native/demo/seed'

const here = path.dirname(fileURLToPath(import.meta.url))
const rendererIndex = path.join(here, '..', 'renderer', 'index.html')
const devUrl = process.env.ELECTRON_RENDERER_URL

let engine: Engine | null = null

/** Only the app's own page may call the engine. */
function trustedSender(contents: WebContents, frameUrl: string | undefined): boolean {
  if (!frameUrl) return false
  if (devUrl) return frameUrl.startsWith(devUrl)
  return frameUrl.startsWith(pathToFileURL(rendererIndex).href)
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Nashlab',
    show: false,
    webPreferences: {
      preload: path.join(here, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  })
  window.once('ready-to-show', () => window.show())
  if (devUrl) void window.loadURL(devUrl)
  else void window.loadFile(rendererIndex)
  return window
}

function lockDown(): void {
  // No permission (camera, notifications, ...) is ever needed.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!trustedSender(contents, url)) event.preventDefault()
    })
    contents.on('will-attach-webview', (event) => event.preventDefault())
    contents.setWindowOpenHandler(({ url }) => {
      // Links to documentation open in the user's browser; no new app windows.
      if (url.startsWith('https://')) void shell.openExternal(url)
      return { action: 'deny' }
    })
  })
}

async function boot(): Promise<void> {
  lockDown()
  engine = new Engine({ database: defaultDatabase(), mode: 'electron' })
  ipcMain.handle(channels.call, async (event, method: unknown, input: unknown): Promise<BridgeReply> => {
    if (!trustedSender(event.sender, event.senderFrame?.url)) return { ok: false, error: { code: 'unauthorized', message: 'Calls come only from the Nashlab window.' } }
    try {
      return { ok: true, value: await engine!.call(String(method), input) }
    } catch (error) {
      return { ok: false, error: toErrorShape(error) }
    }
  })
  engine.events.onAny((name, payload) => {
    for (const window of BrowserWindow.getAllWindows()) window.webContents.send(channels.event, name, payload)
  })
  // First start: the demo data, and the quick demo running in the background (the Demo view follows it).
  await seedDemo(engine, { run: true })
  Menu.setApplicationMenu(buildMenu())
  createWindow()
}

app.whenReady().then(boot, (error) => {
  console.error(error)
  app.exit(1)
})

app.on('activate', () => {
  if (BrowserWindow.getAllWindows().length === 0) createWindow()
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

app.on('will-quit', () => {
  void engine?.close()
  engine = null
})
