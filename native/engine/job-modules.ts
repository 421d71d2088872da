import type { JobModule } from '../jobs/worker-run'

/**
 * Every job script of the engine by kind, as a module to import. The built worker
 * (job-worker.ts) loads jobs through this table: in electron-vite's output a job's code is a
 * bundled chunk, not the TypeScript file its `jobScript(kind, url)` names. One line per
 * `jobScript` in native/ (job-modules.test.ts checks that none is missing).
 */
export const jobModules: Record<string, () => Promise<JobModule>> = {
  'datasets.import': () => import('../data/import-job'),
  'datasets.export': () => import('../data/export-job'),
  'datasets.report': () => import('../data/report-job'),
  'devices.bench': () => import('../runtime/bench-job'),
  generate: () => import('../generate/generate-job'),
  'compare.run': () => import('../eval/compare-job'),
  'tournaments.run': () => import('../eval/tournament-job'),
  'train.sft': () => import('../train/sft-job'),
  'train.preference': () => import('../train/preference-job'),
  'train.nashmd': () => import('../train/nashmd/job'),
}
