import type {
  AnnotatorReport,
  Input,
  MethodName,
  Output,
  ColumnMapping,
  ComparisonRow,
  CurationResult,
  DatasetStats,
  DatasetSummary,
  DatasetExportFormat,
  DatasetExportResult,
  ImportContainer,
  ImportFormat,
  ImportPreview,
  ImportResult,
  Outcome,
  PreferenceHealth,
  Rate,
  RowPage,
  SearchIndexResult,
} from '../../api/contract'
import { datasetExportFormats, importContainers, importFormats, outcome as outcomeSchema } from '../../api/contract'
import { NashlabError } from '../../api/errors'
import { numberFlag, requiredFlag, requiredPositional, stringFlag } from '../args'
import type { CliCommand, CliContext, ParsedArgs } from '../command'

const n = (v: number) => v.toLocaleString('en-US')
const summaryLine = (d: DatasetSummary) =>
  `${d.name.padEnd(24)} ${n(d.prompts).padStart(11)} prompts ${n(d.responses).padStart(11)} responses ${n(d.comparisons).padStart(11)} comparisons` +
  (d.feedback > 0 ? ` ${n(d.feedback).padStart(9)} feedback` : '')

function choice<T extends string>(args: ParsedArgs, flag: string, allowed: readonly T[]): T | undefined {
  const v = stringFlag(args, flag)
  if (v === undefined) return undefined
  if (!allowed.includes(v as T)) throw new NashlabError('invalid_input', `--${flag} must be one of ${allowed.join(', ')}; got "${v}".`, { flag })
  return v as T
}

function mappingFlag(args: ParsedArgs): ColumnMapping | undefined {
  const v = stringFlag(args, 'map')
  if (v === undefined) return undefined
  try {
    return JSON.parse(v) as ColumnMapping
  } catch (error) {
    throw new NashlabError('invalid_input', `--map must be a JSON object such as '{"prompt":"question","chosen":"good","rejected":"bad"}' (${(error as Error).message}).`, { flag: 'map' })
  }
}

function idsFlag(args: ParsedArgs): number[] {
  const raw = [...requiredFlag(args, 'id').split(','), ...args.positionals.slice(1)].map((s) => s.trim()).filter(Boolean)
  const ids = raw.map(Number)
  const bad = raw.find((s, i) => !Number.isInteger(ids[i]) || ids[i] < 1)
  if (bad !== undefined) throw new NashlabError('invalid_input', `--id takes comparison ids (whole numbers, comma-separated); got "${bad}".`, { flag: 'id' })
  return ids
}

/** Show an engine job's progress on stderr while `work` runs. */
async function withProgress<T>(ctx: CliContext, work: () => Promise<T>): Promise<T> {
  const off = ctx.engine().events.on('jobs.progress', (p) => ctx.progress(p))
  try {
    return await work()
  } finally {
    off()
  }
}

const pct = (r: Rate) => (r.rate === null ? '—' : `${(r.rate * 100).toFixed(1)}% (95% CI ${((r.low ?? 0) * 100).toFixed(1)}–${((r.high ?? 0) * 100).toFixed(1)}%, n=${n(r.of)})`)

function formatHealth(h: PreferenceHealth): string {
  const t = h.intransitivity
  return [
    `ties                ${pct(h.ties)}`,
    `both bad            ${pct(h.bothBad)}`,
    `left wins (humans)  ${pct(h.leftWins)}`,
    `longer wins         ${pct(h.longerWins)}`,
    `cyclic triads       ${t.rate === null ? '—' : `${n(t.cyclic)} of ${n(t.triads)} (${(t.rate * 100).toFixed(1)}%) over ${n(t.prompts)} prompts; ${n(t.promptsWithCycles)} prompts have a cycle`}`,
  ].join('\n')
}

function formatAnnotators(r: AnnotatorReport): string {
  const lines = r.annotators.map(
    (a) =>
      `${(a.annotator ?? '(none)').padEnd(24)} ${n(a.comparisons).padStart(9)} judgements  a ${n(a.outcomes.a)}  b ${n(a.outcomes.b)}  tie ${n(a.outcomes.tie)}  both bad ${n(a.outcomes.both_bad)}` +
      (a.agreement === null ? '' : `  agreement ${(a.agreement * 100).toFixed(1)}% of ${n(a.sharedJudgements)}`),
  )
  lines.push(`${n(r.sharedPairs)} pairs judged by several annotators${r.agreement === null ? '' : `; overall agreement ${(r.agreement * 100).toFixed(1)}%`}`)
  return lines.join('\n')
}

/** The methods a command answers with the dataset named by its one positional argument. */
type ByName = 'datasets.show' | 'datasets.health' | 'datasets.annotators' | 'datasets.delete' | 'datasets.undo'

/** `nashlab datasets WORD NAME [--json]`: one engine call on the named dataset, printed by `format`. */
function byName<M extends ByName & MethodName>(word: string, method: M, summary: string, format: (result: Output<M>) => string): CliCommand {
  return {
    words: ['datasets', word],
    usage: `nashlab datasets ${word} NAME [--json]`,
    summary,
    run: (args, ctx) => ctx.engine().call(method, { name: requiredPositional(args, 0, 'dataset name') } as Input<M>),
    format,
  }
}

const curationLine = (r: CurationResult) => (r.edit ? `${r.edit.description} (${r.undoable} edits can be undone)` : 'Nothing changed.')

export const datasetCommands: CliCommand[] = [
  {
    words: ['datasets', 'list'],
    usage: 'nashlab datasets list [--json]',
    summary: 'List datasets with their counts',
    run: (_args, ctx) => ctx.engine().call('datasets.list', {}),
    format: (rows: DatasetSummary[]) => (rows.length === 0 ? 'No datasets yet.' : rows.map(summaryLine).join('\n')),
  },
  {
    words: ['datasets', 'create'],
    usage: 'nashlab datasets create NAME [--description TEXT] [--json]',
    summary: 'Create an empty dataset',
    run: (args, ctx) =>
      ctx.engine().call('datasets.create', { name: requiredPositional(args, 0, 'dataset name'), description: stringFlag(args, 'description') }),
    format: (d: DatasetSummary) => `Created dataset ${d.name}.`,
  },
  byName('show', 'datasets.show', 'Show one dataset with its counts', summaryLine),
  {
    words: ['datasets', 'stats'],
    usage: 'nashlab datasets stats NAME [--json]',
    summary: 'Counts, outcomes, annotators and preference health of a dataset',
    run: async (args, ctx) => {
      const name = requiredPositional(args, 0, 'dataset name')
      const engine = ctx.engine()
      const stats = await engine.call('datasets.stats', { name })
      const health = await engine.call('datasets.health', { name })
      const annotators = await engine.call('datasets.annotators', { name })
      return { ...stats, annotators: annotators.annotators.length, health, byAnnotator: annotators }
    },
    format: (s: DatasetStats & { annotators: number; health: PreferenceHealth; byAnnotator: AnnotatorReport }) =>
      [
        summaryLine(s),
        `outcomes: a ${n(s.outcomes.a)}, b ${n(s.outcomes.b)}, tie ${n(s.outcomes.tie)}, both bad ${n(s.outcomes.both_bad)}; ${n(s.flagged)} flagged; ${n(s.annotators)} annotators`,
        '',
        formatHealth(s.health),
        '',
        formatAnnotators(s.byAnnotator),
      ].join('\n'),
  },
  byName('health', 'datasets.health', 'Tie rate, position bias, length bias and intransitive cycles', formatHealth),
  byName('annotators', 'datasets.annotators', 'Per-annotator counts and agreement', formatAnnotators),
  {
    words: ['datasets', 'rows'],
    usage: 'nashlab datasets rows NAME [--search TEXT] [--offset N] [--limit N] [--flagged] [--json]',
    summary: 'Page through or full-text search the comparisons of a dataset',
    run: (args, ctx) =>
      ctx.engine().call('datasets.comparisons', {
        name: requiredPositional(args, 0, 'dataset name'),
        query: stringFlag(args, 'search'),
        offset: numberFlag(args, 'offset'),
        limit: numberFlag(args, 'limit') ?? 20,
        ...(args.flags.flagged === true ? { flagged: true } : {}),
      }),
    format: (p: RowPage<ComparisonRow>) => {
      const cut = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 60)
      const lines = p.rows.map((r) => `${String(r.id).padStart(8)} ${r.outcome.padEnd(8)} ${r.flagged ? '⚑' : ' '} ${cut(r.prompt)} | ${cut(r.responseA)} | ${cut(r.responseB)}`)
      const total = `${n(p.total)}${p.totalIsLowerBound ? '+' : ''}`
      return [...lines, `rows ${p.total === 0 ? 0 : p.offset + 1}–${p.offset + p.rows.length} of ${total} (${p.elapsedMs} ms)`].join('\n')
    },
  },
  byName('delete', 'datasets.delete', 'Delete a dataset and all its rows (not undoable)', (r) => `Deleted dataset ${r.deleted}.`),
  {
    words: ['datasets', 'set-outcome'],
    usage: 'nashlab datasets set-outcome NAME --id ID[,ID…] --outcome a|b|tie|both_bad [--json]',
    summary: 'Change the outcome of comparisons (undoable)',
    run: (args, ctx) => {
      const outcome = choice(args, 'outcome', outcomeSchema.options) ?? (requiredFlag(args, 'outcome') as Outcome)
      return ctx.engine().call('datasets.setOutcome', { name: requiredPositional(args, 0, 'dataset name'), ids: idsFlag(args), outcome })
    },
    format: curationLine,
  },
  {
    words: ['datasets', 'flag'],
    usage: 'nashlab datasets flag NAME --id ID[,ID…] [--off] [--json]',
    summary: 'Flag comparisons for review, or unflag them with --off (undoable)',
    run: (args, ctx) =>
      ctx.engine().call('datasets.flag', { name: requiredPositional(args, 0, 'dataset name'), ids: idsFlag(args), flagged: args.flags.off !== true }),
    format: curationLine,
  },
  {
    words: ['datasets', 'delete-rows'],
    usage: 'nashlab datasets delete-rows NAME --id ID[,ID…] [--json]',
    summary: 'Delete comparisons (undoable)',
    run: (args, ctx) => ctx.engine().call('datasets.deleteComparisons', { name: requiredPositional(args, 0, 'dataset name'), ids: idsFlag(args) }),
    format: curationLine,
  },
  byName('undo', 'datasets.undo', 'Undo the newest curation edit (outcome change, flag or delete)', (r) =>
    r.edit ? `Undid: ${r.edit.description} (${r.undoable} more edits can be undone)` : 'Nothing to undo.',
  ),
  {
    words: ['datasets', 'export'],
    usage: 'nashlab datasets export NAME --format trl-jsonl|trl-conversational|parquet|csv --out FILE [--exclude-flagged] [--json]',
    summary: 'Export a dataset as TRL JSONL (standard or conversational), Parquet or CSV',
    run: (args, ctx) =>
      withProgress(ctx, () =>
        ctx.engine().call(
          'datasets.export',
          {
            name: requiredPositional(args, 0, 'dataset name'),
            format: choice(args, 'format', datasetExportFormats) ?? (requiredFlag(args, 'format') as DatasetExportFormat),
            path: requiredFlag(args, 'out'),
            excludeFlagged: args.flags['exclude-flagged'] === true,
            kind: choice(args, 'kind', ['auto', 'comparisons', 'feedback', 'prompts'] as const),
          },
          { signal: ctx.signal },
        ),
      ),
    format: (r: DatasetExportResult) => {
      const skipped = [r.skipped.ties && `${n(r.skipped.ties)} ties`, r.skipped.bothBad && `${n(r.skipped.bothBad)} both bad`, r.skipped.flagged && `${n(r.skipped.flagged)} flagged`].filter(Boolean)
      return `Wrote ${n(r.rows)} ${r.kind} to ${r.path} (${r.format}, ${n(r.bytes)} bytes)${skipped.length ? `; left out ${skipped.join(', ')}` : ''}.`
    },
  },
  {
    words: ['datasets', 'preview'],
    usage: 'nashlab datasets preview FILE [--format F] [--map JSON] [--container C] [--json]',
    summary: 'Show how a file would be read (container, format, first rows) without importing',
    run: (args, ctx) =>
      ctx.engine().call('datasets.preview', {
        path: requiredPositional(args, 0, 'file to preview'),
        format: choice(args, 'format', importFormats),
        map: mappingFlag(args),
        container: choice(args, 'container', importContainers),
      }),
    format: (p: ImportPreview) =>
      [
        `container: ${p.container}; columns: ${p.columns.join(', ')}`,
        p.detected ? `recognised: ${p.detected.schema} (${p.detected.format})` : `not recognised: ${p.problem}`,
        ...(p.suggestedMapping && !p.detected ? [`a mapping to try: --format map --map '${JSON.stringify(p.suggestedMapping)}'`] : []),
        ...p.items.map((i, k) => `${k + 1}. ${JSON.stringify(i)}`),
      ].join('\n'),
  },
  {
    words: ['import'],
    usage:
      'nashlab import FILE --dataset NAME [--format auto|trl|hh-rlhf|tldr|map] [--map JSON] [--container jsonl|json|csv|tsv|parquet] [--on-duplicate keep|skip] [--max-field-chars N] [--no-index] [--json]',
    summary: 'Import a preference file into a dataset (all or nothing; appends to an existing dataset), then index it for search',
    run: (args, ctx) =>
      withProgress(ctx, async () => {
        const result = await ctx.engine().call(
          'datasets.import',
          {
            path: requiredPositional(args, 0, 'file to import'),
            dataset: requiredFlag(args, 'dataset'),
            format: choice<ImportFormat>(args, 'format', importFormats),
            map: mappingFlag(args),
            container: choice<ImportContainer>(args, 'container', importContainers),
            onDuplicate: choice(args, 'on-duplicate', ['keep', 'skip'] as const),
            maxFieldChars: numberFlag(args, 'max-field-chars'),
          },
          { signal: ctx.signal },
        )
        const search = args.flags['no-index'] === true ? null : await ctx.engine().call('datasets.index', {})
        return { ...result, search }
      }),
    format: (r: ImportResult & { search: SearchIndexResult | null }) => {
      const made = [
        r.comparisons && `${n(r.comparisons)} comparisons`,
        r.feedback && `${n(r.feedback)} feedback labels`,
        `${n(r.prompts)} new prompts`,
        `${n(r.responses)} new responses`,
      ].filter(Boolean)
      const duplicates = r.duplicates > 0 ? ` ${n(r.duplicates)} duplicates ${r.onDuplicate === 'skip' ? 'left out' : 'kept'} (first: ${r.duplicateExamples.join('; ')}).` : ''
      const identical = r.identicalPairs > 0 ? ` ${n(r.identicalPairs)} comparisons have two identical responses.` : ''
      const search = r.search ? ` Indexed ${n(r.search.indexed)} rows for search in ${r.search.seconds} s.` : ''
      return `Imported ${n(r.rows)} rows (${r.schema}, ${r.container}) into ${r.dataset.name} in ${r.seconds} s: ${made.join(', ')}.${duplicates}${identical}${search}`
    },
  },
]
