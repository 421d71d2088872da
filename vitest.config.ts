import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import { fileURLToPath } from 'node:url'

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['native/**/*.test.ts', 'scripts/**/*.test.ts'],
          environment: 'node',
          // A safety net against hangs, not a speed assertion: real trainings on a loaded 2-core machine.
          testTimeout: 240_000,
          hookTimeout: 240_000,
          pool: 'forks',
        },
      },
      {
        plugins: [vue()],
        resolve: { alias: { '@': fileURLToPath(new URL('./renderer/src', import.meta.url)) } },
        test: {
          name: 'renderer',
          include: ['renderer/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 240_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
