/**
 * The control word a job's worker reads between steps: one Int32 in a SharedArrayBuffer, written by
 * the main thread. Shared memory rather than messages because a job's loop may be synchronous
 * (session.run blocks its thread) and would never see a message; and a paused worker sleeps in
 * Atomics.wait, using no CPU, until the word changes.
 */
export const running = 0
export const pauseAsked = 1
export const cancelAsked = 2

export type ControlWord = Int32Array

export function newControlWord(): ControlWord {
  return new Int32Array(new SharedArrayBuffer(4))
}

/** Main thread: ask a running job to pause at its next step. False when it is not running. */
export function askPause(word: ControlWord): boolean {
  return Atomics.compareExchange(word, 0, running, pauseAsked) === running
}

/** Main thread: let a paused job go on. False when it was not paused. */
export function askResume(word: ControlWord): boolean {
  const resumed = Atomics.compareExchange(word, 0, pauseAsked, running) === pauseAsked
  if (resumed) Atomics.notify(word, 0)
  return resumed
}

/** Main thread: ask the job to stop at its next step (wakes it when paused). */
export function askCancel(word: ControlWord): void {
  Atomics.store(word, 0, cancelAsked)
  Atomics.notify(word, 0)
}
