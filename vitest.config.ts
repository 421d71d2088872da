import { configDefaults, defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import { fileURLToPath } from 'node:url'

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['native/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'native/autodiff/**'],
          environment: 'node',
          // A safety net against hangs, not a speed assertion: real trainings on a loaded 2-core machine.
          testTimeout: 240_000,
          hookTimeout: 240_000,
          expect: { poll: { timeout: 15_000 } },
          pool: 'forks',
        },
      },
      {
        // The gradient checks: pure functions of their inputs (build a graph, run it, compare), so one
        // module graph serves every file of a worker (isolate: false) instead of re-importing the
        // graph builder and ONNX Runtime per file, which cost three quarters of their time.
        test: {
          name: 'unit:autodiff',
          include: ['native/autodiff/**/*.test.ts'],
          environment: 'node',
          testTimeout: 240_000,
          hookTimeout: 240_000,
          pool: 'forks',
          isolate: false,
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
          // What the UI shows after a push or a job step can lag on a loaded machine; a poll ends as
          // soon as its condition holds, so the longer default only delays a real failure.
          expect: { poll: { timeout: 15_000 } },
          fileParallelism: false,
        },
      },
    ],
  },
})
