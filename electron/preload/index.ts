/**
 * The preload bridge: one `window.nashlab` object, named methods only. It runs sandboxed, so it
 * imports nothing but electron; channel names come from the contract (inlined by the bundler).
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { channels, type BridgeReply, type PreloadBridge } from '../../native/api/bridge'

const bridge: PreloadBridge = {
  call: (method, input) => ipcRenderer.invoke(channels.call, String(method), input) as Promise<BridgeReply>,
  subscribe(listener) {
    const handler = (_event: IpcRendererEvent, name: string, payload: unknown) => listener(name, payload)
    ipcRenderer.on(channels.event, handler)
    return () => {
      ipcRenderer.off(channels.event, handler)
    }
  },
  pathForFile: (file) => webUtils.getPathForFile(file),
}

contextBridge.exposeInMainWorld('nashlab', bridge)
