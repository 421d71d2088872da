import type { EventName, Events } from '../../../native/api/contract'
import type { PreloadBridge } from '../../../native/api/bridge'
import { ApiError, type Transport } from './transport'

/** Transport over the Electron preload bridge (`window.nashlab`). */
export function ipcTransport(bridge: PreloadBridge): Transport {
  return {
    kind: 'ipc',
    async call(method, input) {
      const reply = await bridge.call(method, input)
      if (!reply.ok) throw new ApiError(reply.error)
      return reply.value
    },
    subscribe(listener) {
      return bridge.subscribe((event, payload) => listener(event as EventName, payload as Events[EventName]))
    },
    async stageFile(file) {
      return { path: bridge.pathForFile(file) }
    },
  }
}
