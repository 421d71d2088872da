import { z } from 'zod'
import { method } from './define'

export const datasetName = z
  .string()
  .trim()
  .min(1, 'a dataset needs a name')
  .max(200, 'a dataset name is at most 200 characters')

export interface DatasetSummary {
  id: number
  name: string
  description: string
  createdAt: string
  prompts: number
  responses: number
  comparisons: number
}

export type Outcome = 'a' | 'b' | 'tie' | 'both_bad'
export const outcome = z.enum(['a', 'b', 'tie', 'both_bad'])

/** One stored pairwise judgement with its texts, as the dataset browser shows it. */
export interface ComparisonRow {
  id: number
  prompt: string
  responseA: string
  responseB: string
  outcome: Outcome
  annotator: string | null
  source: string
  /** Which response was shown on the left when a human voted ('a' or 'b'), null when not shown. */
  shownLeft: 'a' | 'b' | null
  createdAt: string
}

export interface RowPage<T> {
  rows: T[]
  total: number
  offset: number
  limit: number
}

export interface ImportResult {
  dataset: DatasetSummary
  format: string
  /** Rows read from the file. */
  rows: number
  prompts: number
  responses: number
  comparisons: number
  /** Rows that repeated an existing (prompt, a, b) judgement; they are still imported. */
  duplicates: number
}

export const datasetMethods = {
  'datasets.list': method<DatasetSummary[]>()(z.object({}).strict(), 'List datasets with their counts'),
  'datasets.create': method<DatasetSummary>()(
    z.object({ name: datasetName, description: z.string().max(10_000).default('') }).strict(),
    'Create an empty dataset',
  ),
  'datasets.show': method<DatasetSummary>()(z.object({ name: datasetName }).strict(), 'One dataset with its counts'),
  'datasets.delete': method<{ deleted: string }>()(z.object({ name: datasetName }).strict(), 'Delete a dataset and all its rows'),
  'datasets.comparisons': method<RowPage<ComparisonRow>>()(
    z
      .object({
        name: datasetName,
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(50),
      })
      .strict(),
    'Page through the comparisons of a dataset',
  ),
  'datasets.import': method<ImportResult>()(
    z
      .object({
        dataset: datasetName,
        /** Path of a file on the engine's machine. */
        path: z.string().min(1).optional(),
        /** File content sent by a front end that cannot share paths (the browser). */
        content: z.string().optional(),
        /** File name used in error messages and for format detection when content is sent. */
        fileName: z.string().optional(),
        format: z.enum(['auto', 'trl']).default('auto'),
      })
      .strict()
      .refine((v) => (v.path === undefined) !== (v.content === undefined), {
        message: 'give exactly one of path or content',
        path: ['path'],
      }),
    'Import a preference file into a dataset (created when missing); all or nothing',
  ),
}
