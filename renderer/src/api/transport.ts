import type { ErrorShape, EventName, Events } from '../../../native/api/contract'

/** How the renderer reaches the engine: Electron IPC (preload bridge) or the local web server. */
export interface Transport {
  readonly kind: 'ipc' | 'web'
  /** Call a contract method; resolves to its result or rejects with an ApiError. */
  call(method: string, input: unknown): Promise<unknown>
  /** Receive every pushed event; returns the unsubscribe. */
  subscribe(listener: (event: EventName, payload: Events[EventName]) => void): () => void
  /** Make a user-picked file readable by the engine: a path it can open. */
  stageFile(file: File): Promise<{ path: string }>
}

/** An engine error as the renderer sees it: code, readable message, details (field, file, line). */
export class ApiError extends Error implements ErrorShape {
  readonly code: ErrorShape['code']
  readonly details?: Record<string, unknown>
  constructor(shape: ErrorShape) {
    super(shape.message)
    this.name = 'ApiError'
    this.code = shape.code
    this.details = shape.details
  }
}

export type { PreloadBridge } from '../../../native/api/bridge'
