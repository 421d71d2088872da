/**
 * The one mocked boundary of the stores' tests: a transport whose calls a test answers itself.
 * It records every call (and every staged file, as a call named 'stage'), hands pushed events to
 * the store's subscriptions, and is installed as the renderer's client with a fresh Pinia.
 * Used by tests only.
 */
import { createPinia, setActivePinia } from 'pinia'
import { createClient, setClient } from '../api/client'
import type { Transport } from '../api/transport'

export type Answer = (method: string, input: Record<string, unknown>) => unknown

export interface FakeTransport {
  transport: Transport
  calls: { method: string; input: Record<string, unknown> }[]
  /** The store's event subscriptions (empty once it has stopped listening). */
  listeners: Set<(event: string, payload: unknown) => void>
  /** Push an event as the engine would. */
  push(event: string, payload: unknown): void
  /** The inputs of every call of `method`, in order. */
  sent(method: string): Record<string, unknown>[]
}

export function answeringTransport(answer: Answer): FakeTransport {
  const calls: FakeTransport['calls'] = []
  const listeners: FakeTransport['listeners'] = new Set()
  const transport: Transport = {
    kind: 'web',
    async call(method, input) {
      const i = (input ?? {}) as Record<string, unknown>
      calls.push({ method, input: i })
      return answer(method, i)
    },
    subscribe(listener) {
      listeners.add(listener as never)
      return () => listeners.delete(listener as never)
    },
    async stageFile(file) {
      calls.push({ method: 'stage', input: { name: file.name } })
      return { path: `/staged/${file.name}` }
    },
  }
  return {
    transport,
    calls,
    listeners,
    push: (event, payload) => listeners.forEach((l) => l(event, payload)),
    sent: (method) => calls.filter((c) => c.method === method).map((c) => c.input),
  }
}

/** A fresh Pinia and `fake` as the renderer's client (call it in `beforeEach`); returns `fake`. */
export function installFake<T extends FakeTransport>(fake: T): T {
  setActivePinia(createPinia())
  setClient(createClient(fake.transport))
  return fake
}

/** What a fake answers to a method the test did not expect. */
export function unexpected(method: string): Error {
  return new Error(`unexpected ${method}`)
}
