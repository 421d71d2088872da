import crypto from 'node:crypto'
import type { IncomingMessage } from 'node:http'

export const tokenCookie = 'nashlab_token'

export function newToken(): string {
  return crypto.randomBytes(24).toString('base64url')
}

/**
 * The token a request carries: `Authorization: Bearer T`, the `token` query parameter (the printed
 * URL), or the cookie the server sets on the first authorised page load.
 */
export function requestToken(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim()
  const query = url.searchParams.get('token')
  if (query) return query
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === tokenCookie) return decodeURIComponent(value.join('='))
  }
  return undefined
}

export function tokensMatch(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && crypto.timingSafeEqual(a, b)
}

/**
 * Refuse requests whose Host is not this server on loopback: a page on another site that resolves
 * its own name to 127.0.0.1 (DNS rebinding) must not reach the API even with a stolen cookie.
 */
export function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`
}
