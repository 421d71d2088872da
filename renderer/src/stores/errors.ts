import { defineStore } from 'pinia'
import { ref } from 'vue'

/** The last error any store met, shown as a sentence at the top of the page. */
export const useErrorStore = defineStore('errors', () => {
  const message = ref<string | null>(null)
  function report(error: unknown) {
    message.value = error instanceof Error ? error.message : String(error)
  }
  function clear() {
    message.value = null
  }
  return { message, report, clear }
})
