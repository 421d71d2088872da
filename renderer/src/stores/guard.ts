import type { Ref } from 'vue'
import type { useErrorStore } from './errors'

/**
 * A store's wrapper for engine calls: `busy` is true while `work` runs, and a failure is reported to
 * the error banner and answered with `undefined`, so a store's action reads as its happy path.
 */
export function guarded(busy: Ref<boolean>, errors: ReturnType<typeof useErrorStore>) {
  return async function guard<T>(work: () => Promise<T>): Promise<T | undefined> {
    busy.value = true
    try {
      return await work()
    } catch (error) {
      errors.report(error)
      return undefined
    } finally {
      busy.value = false
    }
  }
}
