import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import WebSocket from 'ws'
import { Engine } from '../engine/engine'
import { startServer, type RunningServer } from './server'

let dir: string
let engine: Engine
let server: RunningServer
const logged: string[] = []
const base = () => `http://127.0.0.1:${server.port}`

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-server-'))
  const staticDir = path.join(dir, 'ui')
  fs.mkdirSync(staticDir)
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Nashlab</title>')
  engine = new Engine({ database: path.join(dir, 'nashlab.db'), mode: 'web' })
  server = await startServer({ engine, staticDir, log: (line) => logged.push(line) })
})
afterAll(async () => {
  await server.close()
  await engine.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const call = (method: string, body: unknown, token: string | null = server.token) =>
  fetch(`${base()}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

test('listens on 127.0.0.1 with a random port and a per-launch token in the URL', () => {
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/)
  expect(server.port).toBeGreaterThan(0)
})

test('requests without the token get 401 and are logged', async () => {
  const page = await fetch(`${base()}/`)
  expect(page.status).toBe(401)
  const api = await call('datasets.list', {}, null)
  expect(api.status).toBe(401)
  const wrong = await call('datasets.list', {}, 'not-the-token')
  expect(wrong.status).toBe(401)
  expect(logged.filter((l) => l.includes('refused')).length).toBeGreaterThanOrEqual(3)
})

test('the UI is served with the token and a cookie keeps later loads authorised', async () => {
  const page = await fetch(server.url)
  expect(page.status).toBe(200)
  expect(await page.text()).toContain('<title>Nashlab</title>')
  expect(page.headers.get('content-security-policy')).toContain("default-src 'self'")
  const cookie = page.headers.get('set-cookie')!.split(';')[0]
  const again = await fetch(`${base()}/assets/missing.js`, { headers: { cookie } })
  expect(again.status).toBe(200)
})

test('a request for another host name is refused (DNS rebinding)', async () => {
  const { request } = await import('node:http')
  const status = await new Promise<number>((resolve) => {
    request({ host: '127.0.0.1', port: server.port, path: '/', headers: { host: 'evil.example:80', authorization: `Bearer ${server.token}` } }, (res) =>
      resolve(res.statusCode ?? 0),
    ).end()
  })
  expect(status).toBe(403)
})

test('an invalid body gets 400 naming the field', async () => {
  const res = await call('datasets.create', { name: 42 })
  expect(res.status).toBe(400)
  const { error } = (await res.json()) as { error: { code: string; message: string; details: { issues: { field: string }[] } } }
  expect(error.code).toBe('invalid_input')
  expect(error.message).toContain('field "name"')
  expect(error.details.issues[0].field).toBe('name')

  const notJson = await call('datasets.create', '{"name": ')
  expect(notJson.status).toBe(400)
  expect(((await notJson.json()) as { error: { message: string } }).error.message).toContain('not valid JSON')

  const unknown = await call('datasets.explode', {})
  expect(unknown.status).toBe(404)
})

test('calls return results and typed errors', async () => {
  const created = await call('datasets.create', { name: 'web' })
  expect(created.status).toBe(200)
  expect(((await created.json()) as { result: { name: string } }).result.name).toBe('web')
  const duplicate = await call('datasets.create', { name: 'web' })
  expect(duplicate.status).toBe(409)
  expect(((await duplicate.json()) as { error: { message: string } }).error.message).toBe('A dataset named "web" already exists.')
})

test('the WebSocket refuses a handshake without the token and pushes events with it', async () => {
  const refused = await new Promise<string>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`)
    ws.on('unexpected-response', (_req, res) => resolve(`status ${res.statusCode}`))
    ws.on('open', () => resolve('opened'))
    ws.on('error', () => resolve('error'))
  })
  expect(refused).toBe('status 401')

  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${server.token}`)
  await new Promise((resolve, reject) => {
    ws.on('open', resolve)
    ws.on('error', reject)
  })
  const message = new Promise<unknown>((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))))
  await call('datasets.create', { name: 'pushed' })
  expect(await message).toEqual({ event: 'datasets.changed', payload: { name: 'pushed' } })
  ws.close()
})

test('uploads stream to the data folder and import by path', async () => {
  const res = await fetch(`${base()}/api/upload?name=prefs.jsonl`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}` },
    body: '{"prompt":"p","chosen":"a","rejected":"b"}\n',
  })
  const { result } = (await res.json()) as { result: { path: string } }
  expect(result.path.startsWith(path.join(dir, 'uploads'))).toBe(true)
  const imported = await call('datasets.import', { dataset: 'uploaded', path: result.path })
  expect(((await imported.json()) as { result: { comparisons: number } }).result.comparisons).toBe(1)
})
