import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'
import { resolve } from 'node:path'

// Explicit entries: electron/main, electron/preload and renderer/ (see shared toolchain notes).
// The main build also emits the command line (out/main/cli.js, which an installed app runs in Node
// mode; see docs/packaging.md) and the engine's child entries, which the engine starts when it finds
// them beside the bundle: the job worker (out/main/job-worker.js, every job script bundled; see
// native/jobs/runner.ts) and the device probe's child process (out/main/probe-child.js; see
// native/runtime/probe.ts), and the thread that runs members of a mixture beside the sampling
// thread (out/main/mixture-member.js; see native/generate/member-thread.ts). Chunks stay in out/main so that module-relative URLs resolve the same
// from every file of the build. Dependencies (onnxruntime-node, better-sqlite3, ...) stay external
// imports, loaded from node_modules.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'electron/main/index.ts'),
          'job-worker': resolve(__dirname, 'native/engine/job-worker.ts'),
          'probe-child': resolve(__dirname, 'native/runtime/probe-child.ts'),
          'mixture-member': resolve(__dirname, 'native/generate/member-worker.ts'),
          cli: resolve(__dirname, 'native/cli/entry.ts'),
        },
        output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: { input: { index: resolve(__dirname, 'electron/preload/index.ts') }, output: { format: 'cjs' } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    base: './',
    plugins: [vue()],
    resolve: { alias: { '@': resolve(__dirname, 'renderer/src') } },
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
    },
  },
})
