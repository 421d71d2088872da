import fs from 'node:fs'
import path from 'node:path'
import type { ServerResponse } from 'node:http'

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
}

/** Serve a file of the built renderer; unknown paths fall back to index.html (hash routing). */
export function serveStatic(root: string, pathname: string, res: ServerResponse, headers: Record<string, string>): void {
  const decoded = decodeURIComponent(pathname)
  let file = path.resolve(root, '.' + (decoded === '/' ? '/index.html' : decoded))
  if (!file.startsWith(path.resolve(root) + path.sep)) {
    res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden')
    return
  }
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) file = path.join(root, 'index.html')
  if (!fs.existsSync(file)) {
    res
      .writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
      .end(`The workbench UI is not built (no ${file}). Run "npm run build" first.`)
    return
  }
  const ext = path.extname(file)
  res.writeHead(200, {
    ...headers,
    'content-type': types[ext] ?? 'application/octet-stream',
    'cache-control': ext === '.html' ? 'no-store' : 'public, max-age=3600',
  })
  fs.createReadStream(file).pipe(res)
}

/** A file of the newest demo report (report.html or report.json), or 404 when no demo has finished. */
export function serveDemoReport(folder: string | null, name: 'report.html' | 'report.json' | string, res: ServerResponse, headers: Record<string, string>): void {
  const file = folder && (name === 'report.html' || name === 'report.json') ? path.join(folder, name) : null
  if (!file || !fs.existsSync(file)) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('No demo report yet: run the demo (Demo view, or "nashlab demo --quick").')
    return
  }
  res.writeHead(200, { ...headers, 'content-type': types[path.extname(file)], 'cache-control': 'no-store' })
  fs.createReadStream(file).pipe(res)
}
