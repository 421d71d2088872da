import type { ErrorShape } from './errors'

/** The reply of one IPC call: the result, or the error shape (errors never cross IPC as throws). */
export type BridgeReply = { ok: true; value: unknown } | { ok: false; error: ErrorShape }

/**
 * What Electron's preload script exposes as `window.nashlab`: named methods only; `subscribe`
 * returns its unsubscribe. The preload implements it, the renderer's IPC transport consumes it.
 */
export interface PreloadBridge {
  call(method: string, input: unknown): Promise<BridgeReply>
  subscribe(listener: (event: string, payload: unknown) => void): () => void
  /** The real path of a file the user picked or dropped (so big files are read, not copied). */
  pathForFile(file: File): string
}

/** IPC channel names, declared once. */
export const channels = { call: 'nashlab:call', event: 'nashlab:event' } as const
