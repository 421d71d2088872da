import type { EventName, Events } from '../api/contract'

export type Listener<E extends EventName> = (payload: Events[E]) => void
export type AnyListener = <E extends EventName>(event: E, payload: Events[E]) => void

/** A small typed event bus: `on` returns its unsubscribe; `onAny` feeds front doors. */
export class EventBus {
  private readonly listeners = new Map<EventName, Set<(payload: unknown) => void>>()
  private readonly anyListeners = new Set<AnyListener>()

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    const fn = listener as (payload: unknown) => void
    set.add(fn)
    return () => set.delete(fn)
  }

  onAny(listener: AnyListener): () => void {
    this.anyListeners.add(listener)
    return () => this.anyListeners.delete(listener)
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const fn of this.listeners.get(event) ?? []) fn(payload)
    for (const fn of this.anyListeners) fn(event, payload)
  }
}
