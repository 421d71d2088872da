import crypto from 'node:crypto'
import fs from 'node:fs'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { WebSocketServer, type WebSocket } from 'ws'
import { httpStatus, NashlabError, toErrorShape } from '../api/errors'
import type { Engine } from '../engine/engine'
import { hostAllowed, newToken, requestToken, tokenCookie, tokensMatch } from './auth'
import { serveDemoReport, serveStatic } from './static'
import { DemoService } from '../demo/service'

export interface ServerOptions {
  engine: Engine
  /** 0 (the default) picks a free port. */
  port?: number
  /** Folder of the built renderer (index.html and assets). */
  staticDir: string
  /** Fixed token (tests); a random one per launch otherwise. */
  token?: string
  /** Where refused requests and errors are logged. */
  log?: (line: string) => void
  /** Largest JSON request body, in bytes. */
  maxBody?: number
}

export interface RunningServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

const contentSecurityPolicy = (port: number) =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ')

/**
 * The engine contract over HTTP and WebSocket on 127.0.0.1 only.
 * - `POST /api/<method>` with a JSON body → `{result}` or `{error: {code, message, details}}`;
 * - `POST /api/upload?name=FILE` streams a file to the data folder and answers `{path}`;
 * - `GET /api/events` upgrades to a WebSocket that pushes `{event, payload}`;
 * - anything else serves the built renderer.
 * Every request and the WebSocket handshake need the per-launch token; without it: 401, logged.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { engine } = options
  const token = options.token ?? newToken()
  const log = options.log ?? ((line: string) => console.error(line))
  const maxBody = options.maxBody ?? 64 * 1024 * 1024
  const uploads = path.join(engine.dataDir, 'uploads')
  let port = 0

  const securityHeaders = () => ({
    'content-security-policy': contentSecurityPolicy(port),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  })

  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, message: string, code = 'unauthorized') => {
    log(`nashlab serve: refused ${req.method} ${req.url?.split('?')[0]} from ${req.socket.remoteAddress}: ${message}`)
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: { code, message } }))
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (!hostAllowed(req, port)) return refuse(req, res, 403, `host "${req.headers.host}" is not this server`, 'unauthorized')
    const given = requestToken(req, url)
    if (!tokensMatch(given, token)) return refuse(req, res, 401, 'a valid token is required (open the URL that nashlab serve printed)')

    if (url.pathname === '/api/upload' && req.method === 'POST') return upload(req, res, url)
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return sendJson(res, 405, { error: { code: 'invalid_input', message: 'API calls are POST requests.' } })
      return callMethod(req, res, decodeURIComponent(url.pathname.slice('/api/'.length)))
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: { code: 'invalid_input', message: 'method not allowed' } })
    // The first load carries the token in the URL; a cookie keeps later loads (assets, reloads,
    // the WebSocket) authorised without putting the token in every link.
    const headers: Record<string, string> = securityHeaders()
    if (url.searchParams.has('token')) headers['set-cookie'] = `${tokenCookie}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`
    // The newest demo report (self-contained HTML and its JSON), behind the same token.
    if (url.pathname === '/demo/report.html' || url.pathname === '/demo/report.json') return serveDemoReport(engine.service(DemoService).reportFolder(), path.basename(url.pathname), res, headers)
    serveStatic(options.staticDir, url.pathname, res, headers)
  }

  const callMethod = async (req: IncomingMessage, res: ServerResponse, name: string) => {
    let body: unknown = {}
    try {
      const raw = await readBody(req, maxBody)
      if (raw.length > 0) body = JSON.parse(raw)
    } catch (error) {
      const message = error instanceof NashlabError ? error.message : `The request body is not valid JSON (${(error as Error).message}).`
      return sendJson(res, 400, { error: { code: 'invalid_input', message } })
    }
    const controller = new AbortController()
    res.on('close', () => {
      if (!res.writableFinished) controller.abort()
    })
    try {
      const result = await engine.call(name, body, { signal: controller.signal })
      sendJson(res, 200, { result: result ?? null })
    } catch (error) {
      const shape = toErrorShape(error)
      if (shape.code === 'internal') log(`nashlab serve: ${name} failed: ${(error as Error).stack ?? shape.message}`)
      sendJson(res, httpStatus[shape.code] ?? 500, { error: shape })
    }
  }

  const upload = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const name = path.basename(url.searchParams.get('name') ?? 'upload')
    fs.mkdirSync(uploads, { recursive: true })
    const file = path.join(uploads, `${crypto.randomUUID()}-${name}`)
    try {
      await pipeline(req, fs.createWriteStream(file))
      sendJson(res, 200, { result: { path: file, bytes: fs.statSync(file).size } })
    } catch (error) {
      fs.rmSync(file, { force: true })
      sendJson(res, 500, { error: toErrorShape(error) })
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error) => {
      log(`nashlab serve: ${(error as Error).stack}`)
      if (!res.headersSent) sendJson(res, 500, { error: toErrorShape(error) })
    })
  })

  const sockets = new WebSocketServer({ noServer: true })
  const clients = new Set<WebSocket>()
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const ok = url.pathname === '/api/events' && hostAllowed(req, port) && tokensMatch(requestToken(req, url), token)
    if (!ok) {
      log(`nashlab serve: refused WebSocket ${url.pathname} from ${req.socket.remoteAddress}: a valid token is required`)
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
      return
    }
    sockets.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws)
      ws.on('close', () => clients.delete(ws))
    })
  })
  const unsubscribe = engine.events.onAny((event, payload) => {
    const message = JSON.stringify({ event, payload })
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(message)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      unsubscribe()
      for (const ws of clients) ws.terminate()
      sockets.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(body)
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        reject(new NashlabError('invalid_input', `The request body is larger than ${limit} bytes; upload files with /api/upload.`))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}
