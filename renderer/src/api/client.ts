import type { EventName, Events, Input, MethodName, Output } from '../../../native/api/contract'
import { ipcTransport } from './ipc'
import type { PreloadBridge } from '../../../native/api/bridge'
import type { Transport } from './transport'
import { webTransport } from './web'

export { ApiError } from './transport'

/** The typed engine client the Pinia stores use (and only they). */
export interface Client {
  readonly transport: Transport['kind']
  call<M extends MethodName>(method: M, input: Input<M>): Promise<Output<M>>
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void
  stageFile(file: File): Promise<{ path: string }>
}

export function createClient(transport: Transport): Client {
  return {
    transport: transport.kind,
    call: (method, input) => transport.call(method, input) as Promise<never>,
    on: (event, listener) =>
      transport.subscribe((name, payload) => {
        if (name === event) listener(payload as never)
      }),
    stageFile: (file) => transport.stageFile(file),
  }
}

/** Electron's preload bridge when present, the local web server otherwise. */
export function defaultClient(): Client {
  const bridge = (window as unknown as { nashlab?: PreloadBridge }).nashlab
  return createClient(bridge ? ipcTransport(bridge) : webTransport())
}

let current: Client | null = null
export function client(): Client {
  return (current ??= defaultClient())
}
/** Replace the client (store tests pass one whose transport is the single mocked boundary). */
export function setClient(c: Client): void {
  current = c
}
