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
  /** Stored pairwise judgements. */
  comparisons: number
  /** Unpaired judgements (one response with a good/bad label, TRL's prompt/completion/label). */
  feedback: number
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
  flagged: boolean
  createdAt: string
}

/** A comparison opened on its own: the row plus what the detail pane shows about it. */
export interface ComparisonDetail extends ComparisonRow {
  promptId: number
  responseAId: number
  responseBId: number
  /** Where each response came from ('import', 'import:<policy>', 'human', 'model:<id>'). */
  sourceA: string
  sourceB: string
  /** Message lists when the row was imported as a conversation. */
  promptMessages: ChatMessage[] | null
  responseAMessages: ChatMessage[] | null
  responseBMessages: ChatMessage[] | null
  /** Other judgements of the same pair of responses (by other annotators, or repeated). */
  samePair: number
}

export interface ChatMessage {
  role: string
  content: string
}

export interface FeedbackRow {
  id: number
  prompt: string
  completion: string
  /** 1: desirable, 0: undesirable. */
  label: 0 | 1
  annotator: string | null
  source: string
  flagged: boolean
  createdAt: string
}

export interface PromptRow {
  id: number
  text: string
  responses: number
  createdAt: string
}

export interface RowPage<T> {
  rows: T[]
  total: number
  offset: number
  limit: number
  /** True when a search found more matches than it counts (`total` is then the count cap). */
  totalIsLowerBound?: boolean
  /** The search the page answers, when there was one. */
  query?: string
  /**
   * For searches: how many of the dataset's rows the full-text index covers yet (new rows are
   * indexed in the background after an import commits).
   */
  searchCoverage?: { indexed: number; total: number }
  /** Milliseconds the engine spent on the page (the browser shows search latency). */
  elapsedMs?: number
}

/** A column mapping chosen by the user: which column holds what (dotted paths reach nested fields). */
export interface ColumnMapping {
  prompt: string
  chosen?: string
  rejected?: string
  responseA?: string
  responseB?: string
  /** a, b, tie, both_bad (any case), model_a / model_b / tie (bothbad), or 0 / 1 (index of the winner). */
  outcome?: string
  completion?: string
  /** true/false, 1/0. */
  label?: string
  annotator?: string
  /** a or b: which response was shown on the left. */
  shownLeft?: string
}

const column = z.string().trim().min(1).max(500)
export const columnMapping = z
  .object({
    prompt: column,
    chosen: column.optional(),
    rejected: column.optional(),
    responseA: column.optional(),
    responseB: column.optional(),
    outcome: column.optional(),
    completion: column.optional(),
    label: column.optional(),
    annotator: column.optional(),
    shownLeft: column.optional(),
  })
  .strict()

export const importFormats = ['auto', 'trl', 'hh-rlhf', 'tldr', 'map'] as const
export type ImportFormat = (typeof importFormats)[number]
export const importContainers = ['jsonl', 'json', 'csv', 'tsv', 'parquet'] as const
export type ImportContainer = (typeof importContainers)[number]

/** Texts longer than this many characters are refused unless the import raises the limit. */
export const defaultMaxFieldChars = 1 << 20

const fileInput = {
  /** Path of a file on the engine's machine. */
  path: z.string().min(1).optional(),
  /** File content sent by a front end that cannot share paths (small files only). */
  content: z.string().optional(),
  /** File name used in error messages and for format detection when content is sent. */
  fileName: z.string().optional(),
  /** Read the file as this container instead of detecting it from its extension and content. */
  container: z.enum(importContainers).optional(),
  format: z.enum(importFormats).default('auto'),
  /** Required with format "map". */
  map: columnMapping.optional(),
  maxFieldChars: z.number().int().min(1).max(64 << 20).default(defaultMaxFieldChars),
}
const oneSource = (v: { path?: string; content?: string }) => (v.path === undefined) !== (v.content === undefined)
const oneSourceMessage = { message: 'give exactly one of path or content', path: ['path'] }

export interface ImportResult {
  dataset: DatasetSummary
  /** The format family: trl, hh-rlhf, tldr or map. */
  format: string
  /** The recognised layout, e.g. "TRL preference, conversational". */
  schema: string
  container: ImportContainer
  /** Rows read from the file. */
  rows: number
  /** New records written (prompts and responses already in the dataset are reused). */
  prompts: number
  responses: number
  comparisons: number
  feedback: number
  /** Rows that repeat a judgement already stored (same prompt, pair of responses and annotator). */
  duplicates: number
  /** Where the first duplicates are ("file, line 7"). */
  duplicateExamples: string[]
  /** Whether duplicates were imported anyway ('keep') or left out ('skip'). */
  onDuplicate: 'keep' | 'skip'
  /** Comparisons whose two responses are the same text. */
  identicalPairs: number
  seconds: number
}

export interface ImportPreview {
  container: ImportContainer
  /** Column names of the first rows. */
  columns: string[]
  /** The first rows as the file holds them (long texts cut to 300 characters). */
  sample: Record<string, unknown>[]
  /** What auto-detection (or the chosen format) recognised, or why it did not. */
  detected: { format: string; schema: string; kind: 'comparison' | 'feedback' | 'prompt' } | null
  problem: string | null
  /** A first guess at a column mapping from the column names. */
  suggestedMapping: ColumnMapping | null
  /** The first rows as they would be stored. */
  items: { prompt: string; a?: string; b?: string; outcome?: Outcome; completion?: string; label?: 0 | 1; annotator?: string | null }[]
}

export const datasetExportFormats = ['trl-jsonl', 'trl-conversational', 'parquet', 'csv'] as const
export type DatasetExportFormat = (typeof datasetExportFormats)[number]

export interface DatasetExportResult {
  path: string
  format: DatasetExportFormat
  kind: 'comparisons' | 'feedback' | 'prompts'
  rows: number
  /** Comparisons left out because TRL has no place for them (ties, both bad) or they were flagged. */
  skipped: { ties: number; bothBad: number; flagged: number }
  bytes: number
}

/** One curation action as the undo log keeps it. */
export interface EditSummary {
  batch: number
  action: 'outcome' | 'flag' | 'delete'
  comparisons: number[]
  createdAt: string
  /** A sentence: "Changed the outcome of comparison 12 to tie." */
  description: string
}

export interface CurationResult {
  dataset: DatasetSummary
  edit: EditSummary | null
  /** Edits that can still be undone in this dataset. */
  undoable: number
}

export interface AnnotatorStats {
  annotator: string | null
  comparisons: number
  outcomes: Record<Outcome, number>
  flagged: number
  /** Judgements of pairs some other annotator also judged, and how many of those agree. */
  sharedJudgements: number
  agreements: number
  /** agreements / sharedJudgements (null when nothing is shared). */
  agreement: number | null
}

export interface AnnotatorReport {
  annotators: AnnotatorStats[]
  /** Pairs judged by two or more annotators. */
  sharedPairs: number
  /** Over every two judgements of a shared pair by different annotators: the share that agree. */
  agreement: number | null
}

/** A rate with its Wilson 95% interval; null rate when there is nothing to measure. */
export interface Rate {
  count: number
  of: number
  rate: number | null
  low: number | null
  high: number | null
}

export interface PreferenceHealth {
  comparisons: number
  /** Outcome tie among all comparisons; both bad separately. */
  ties: Rate
  bothBad: Rate
  /** Human votes with a recorded left side: how often the response shown on the left won. */
  leftWins: Rate
  /** Decisive comparisons of responses of different length: how often the longer one won. */
  longerWins: Rate
  intransitivity: {
    /** Prompts whose compared responses form at least one complete triad. */
    prompts: number
    /** Triads of responses of one prompt with all three pairs decided by majority. */
    triads: number
    /** Of those, triads whose majorities form a cycle (x beats y beats z beats x). */
    cyclic: number
    rate: number | null
    promptsWithCycles: number
    /** Prompts skipped for having more responses than the triad count allows (listed by id). */
    skippedPrompts: number[]
    examples: { promptId: number; prompt: string; cycle: { id: number; text: string }[] }[]
  }
}

export interface SearchIndexResult {
  /** Rows added to the search indexes by this call. */
  indexed: number
  seconds: number
}

export interface DatasetStats extends DatasetSummary {
  outcomes: Record<Outcome, number>
  flagged: number
  /** Curation edits that can still be undone. */
  undoable: number
}

const ids = z.array(z.number().int().min(1)).min(1, 'name at least one comparison').max(10_000)

export const datasetMethods = {
  'datasets.list': method<DatasetSummary[]>()(z.object({}).strict(), 'List datasets with their counts'),
  'datasets.create': method<DatasetSummary>()(
    z.object({ name: datasetName, description: z.string().max(10_000).default('') }).strict(),
    'Create an empty dataset',
  ),
  'datasets.show': method<DatasetSummary>()(z.object({ name: datasetName }).strict(), 'One dataset with its counts'),
  'datasets.stats': method<DatasetStats>()(z.object({ name: datasetName }).strict(), 'Counts, outcomes and flags of a dataset'),
  'datasets.delete': method<{ deleted: string }>()(
    z
      .object({
        name: datasetName,
        /** Run as a job in a worker thread, in one transaction; by default datasets over 50,000 rows do. */
        inWorker: z.boolean().optional(),
      })
      .strict(),
    'Delete a dataset and all its rows (not undoable; large ones in a worker thread, in one transaction)',
  ),
  'datasets.comparisons': method<RowPage<ComparisonRow>>()(
    z
      .object({
        name: datasetName,
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(50),
        /** Full-text search over prompt and both responses (words, "phrases", prefix*, AND/OR/NOT). */
        query: z.string().max(1000).optional(),
        flagged: z.boolean().optional(),
        outcome: outcome.optional(),
        /** Only this annotator's judgements ('' for those with none). */
        annotator: z.string().max(500).optional(),
        /**
         * Keyset paging: the id of the last row of the previous page. The page is the rows after
         * it (in id order), read from there rather than walked to, so a deep page (a search's
         * too) costs what the first does; `offset` then only numbers the page (its first row's
         * position, which the total of a search counts from).
         */
        after: z.number().int().min(0).optional(),
        /**
         * Keyset paging backwards: the id of the first row of the next page; the page is the
         * `limit` rows before it (the first page, offset 0, when fewer are).
         */
        before: z.number().int().min(1).optional(),
      })
      .strict(),
    'Page through (or search) the comparisons of a dataset',
  ),
  'datasets.comparison': method<ComparisonDetail>()(
    z.object({ name: datasetName, id: z.number().int().min(1) }).strict(),
    'One comparison with its prompt, both responses, outcome and annotator',
  ),
  'datasets.feedback': method<RowPage<FeedbackRow>>()(
    z
      .object({
        name: datasetName,
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(50),
        query: z.string().max(1000).optional(),
        /** As for datasets.comparisons: the last row of the previous page. */
        after: z.number().int().min(0).optional(),
        /** As for datasets.comparisons: the first row of the next page. */
        before: z.number().int().min(1).optional(),
      })
      .strict(),
    'Page through (or search) the unpaired feedback of a dataset',
  ),
  'datasets.prompts': method<RowPage<PromptRow>>()(
    z
      .object({ name: datasetName, offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(50) })
      .strict(),
    'Page through the prompts of a dataset',
  ),
  'datasets.preview': method<ImportPreview>()(
    z.object({ ...fileInput }).strict().refine(oneSource, oneSourceMessage),
    'Detect the container and format of a file and show its first rows, without importing',
  ),
  'datasets.import': method<ImportResult>()(
    z
      .object({
        dataset: datasetName,
        ...fileInput,
        /** What to do with rows that repeat a stored judgement: import them anyway, or leave them out. */
        onDuplicate: z.enum(['keep', 'skip']).default('keep'),
        /**
         * Run as a job in a worker thread (listed in jobs, pausable, the engine free meanwhile).
         * By default files over 8 MiB do; smaller ones import at once on the engine's connection.
         */
        inWorker: z.boolean().optional(),
      })
      .strict()
      .refine(oneSource, oneSourceMessage),
    'Import a preference file into a dataset (created when missing, appended to otherwise); all or nothing',
  ),
  'datasets.export': method<DatasetExportResult>()(
    z
      .object({
        name: datasetName,
        format: z.enum(datasetExportFormats),
        /** File to write on the engine's machine (written whole, then moved into place). */
        path: z.string().min(1),
        /** Leave out flagged rows. */
        excludeFlagged: z.boolean().default(false),
        /** What to export; by default comparisons, else feedback, else prompts, whichever the dataset has. */
        kind: z.enum(['auto', 'comparisons', 'feedback', 'prompts']).default('auto'),
        /** Run as a job in a worker thread; by default datasets over 50,000 rows do. */
        inWorker: z.boolean().optional(),
      })
      .strict(),
    'Export a dataset as TRL JSONL (standard or conversational), Parquet or CSV',
  ),
  'datasets.setOutcome': method<CurationResult>()(
    z.object({ name: datasetName, ids, outcome }).strict(),
    'Change the outcome of comparisons (undoable)',
  ),
  'datasets.flag': method<CurationResult>()(
    z.object({ name: datasetName, ids, flagged: z.boolean().default(true) }).strict(),
    'Flag or unflag comparisons for review (undoable)',
  ),
  'datasets.deleteComparisons': method<CurationResult>()(
    z.object({ name: datasetName, ids }).strict(),
    'Delete comparisons (undoable)',
  ),
  'datasets.undo': method<CurationResult>()(z.object({ name: datasetName }).strict(), 'Undo the newest curation edit of a dataset'),
  'datasets.edits': method<EditSummary[]>()(
    z.object({ name: datasetName, limit: z.number().int().min(1).max(500).default(20) }).strict(),
    'The newest curation edits that can still be undone',
  ),
  'datasets.index': method<SearchIndexResult>()(z.object({}).strict(), 'Bring the full-text search index up to date now (imports leave it to the background)'),
  'datasets.annotators': method<AnnotatorReport>()(
    z.object({ name: datasetName }).strict(),
    'Per-annotator counts and agreement on pairs judged by several annotators',
  ),
  'datasets.health': method<PreferenceHealth>()(
    z.object({ name: datasetName }).strict(),
    'Preference health: tie rate, position bias, length bias and intransitive cycles',
  ),
}
