import type { Input, MethodName, Output } from '../api/contract'
import { NashlabError, type ErrorShape } from '../api/errors'

/**
 * Call a contract method on a running `nashlab serve` (its printed URL carries the token), for
 * commands about state that lives in that engine's process, such as its jobs.
 */
export async function callServer<M extends MethodName>(serverUrl: string, method: M, input: Input<M>): Promise<Output<M>> {
  let url: URL
  try {
    url = new URL(serverUrl)
  } catch {
    throw new NashlabError('invalid_input', `--server must be the URL "nashlab serve" printed, got "${serverUrl}".`, { flag: 'server' })
  }
  const token = url.searchParams.get('token') ?? process.env.NASHLAB_TOKEN
  if (!token) throw new NashlabError('invalid_input', '--server needs the URL with its ?token=… part, as "nashlab serve" printed it (or set NASHLAB_TOKEN).', { flag: 'server' })
  let response: Response
  try {
    response = await fetch(new URL(`/api/${method}`, url.origin), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(input),
    })
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message
    throw new NashlabError('unavailable', `No Nashlab server answers at ${url.origin} (${cause}).`, { server: url.origin })
  }
  const body = (await response.json().catch(() => ({}))) as { result?: unknown; error?: ErrorShape }
  if (body.error) throw new NashlabError(body.error.code, body.error.message, body.error.details)
  if (!response.ok) throw new NashlabError('internal', `The server at ${url.origin} answered ${method} with HTTP ${response.status}.`, { server: url.origin })
  return body.result as Output<M>
}
