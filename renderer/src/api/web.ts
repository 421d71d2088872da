import type { EventName, Events } from '../../../native/api/contract'
import { ApiError, type Transport } from './transport'

const tokenKey = 'nashlab.token'

/**
 * The per-launch token: taken from the URL the server printed (then removed from the address bar)
 * and kept for this tab. The server also sets a cookie, so assets and the WebSocket are authorised.
 */
function takeToken(): string | null {
  const url = new URL(window.location.href)
  const fromUrl = url.searchParams.get('token')
  if (fromUrl) {
    sessionStorage.setItem(tokenKey, fromUrl)
    url.searchParams.delete('token')
    window.history.replaceState(null, '', url.toString())
    return fromUrl
  }
  return sessionStorage.getItem(tokenKey)
}

/** Transport over the local web server: POST /api/<method>, events on the /api/events WebSocket. */
export function webTransport(origin = window.location.origin): Transport {
  const token = takeToken()
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  const listeners = new Set<(event: EventName, payload: Events[EventName]) => void>()
  let socket: WebSocket | null = null
  let retry = 500

  const connect = () => {
    const wsUrl = new URL('/api/events', origin)
    wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:'
    if (token) wsUrl.searchParams.set('token', token)
    const ws = new WebSocket(wsUrl)
    socket = ws
    ws.onopen = () => (retry = 500)
    ws.onmessage = (message) => {
      const { event, payload } = JSON.parse(String(message.data)) as { event: EventName; payload: Events[EventName] }
      for (const listener of listeners) listener(event, payload)
    }
    ws.onclose = () => {
      // A socket closed after a newer one replaced it must not drop (or duplicate) the newer one.
      if (socket !== ws) return
      socket = null
      if (listeners.size > 0) setTimeout(connect, (retry = Math.min(retry * 2, 10_000)))
    }
  }

  const post = async (path: string, body: BodyInit, extra: Record<string, string> = {}) => {
    const response = await fetch(new URL(path, origin), { method: 'POST', headers: { ...headers, ...extra }, body })
    const reply = (await response.json().catch(() => ({
      error: { code: 'internal', message: `The engine answered ${response.status} ${response.statusText}.` },
    }))) as { result?: unknown; error?: ConstructorParameters<typeof ApiError>[0] }
    if (reply.error) throw new ApiError(reply.error)
    return reply.result
  }

  return {
    kind: 'web',
    call: (method, input) => post(`/api/${encodeURIComponent(method)}`, JSON.stringify(input ?? {})),
    subscribe(listener) {
      listeners.add(listener)
      // A socket still closing (the last listener just left) is replaced, not waited for.
      if (!socket || socket.readyState >= WebSocket.CLOSING) connect()
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0) socket?.close()
      }
    },
    async stageFile(file) {
      const result = (await post(`/api/upload?name=${encodeURIComponent(file.name)}`, file, {
        'content-type': 'application/octet-stream',
      })) as { path: string }
      return { path: result.path }
    },
  }
}
